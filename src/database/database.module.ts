import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseHandle } from './database-connection';
import { TenantDb } from './tenant-db';

export const DATABASE_HANDLE = Symbol('DATABASE_HANDLE');

@Global()
@Module({})
export class DatabaseModule {
  /** The handle (server or embedded) is opened before Nest starts and closed after it stops. */
  static forRoot(handle: DatabaseHandle): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...handle.options, retryAttempts: 3, retryDelay: 1000 })],
      providers: [{ provide: DATABASE_HANDLE, useValue: handle }, TenantDb],
      exports: [DATABASE_HANDLE, TenantDb],
    };
  }
}
