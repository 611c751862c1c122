import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { tenantDbProvider } from '../bench/bench-without';
import type { AppConfig } from '../config/env.schema';
import { DatabaseHandle } from './database-connection';
import { TenantDb } from './tenant-db';

export const DATABASE_HANDLE = Symbol('DATABASE_HANDLE');

@Global()
@Module({})
export class DatabaseModule {
  /** The handle (server or embedded) is opened before Nest starts and closed after it stops. */
  static forRoot(handle: DatabaseHandle, config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...handle.options, retryAttempts: 3, retryDelay: 1000 })],
      providers: [{ provide: DATABASE_HANDLE, useValue: handle }, tenantDbProvider(config)],
      exports: [DATABASE_HANDLE, TenantDb],
    };
  }
}
