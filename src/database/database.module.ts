import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseHandle } from './database-connection';
import { TenantTransactions } from './tenant-transactions';

export const DATABASE_HANDLE = Symbol('DATABASE_HANDLE');

@Global()
@Module({})
export class DatabaseModule {
  /** The handle (server or embedded) is opened before Nest starts and closed after it stops. */
  static forRoot(handle: DatabaseHandle): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...handle.options, retryAttempts: 3, retryDelay: 1000 })],
      providers: [{ provide: DATABASE_HANDLE, useValue: handle }, TenantTransactions],
      exports: [DATABASE_HANDLE, TenantTransactions],
    };
  }
}
