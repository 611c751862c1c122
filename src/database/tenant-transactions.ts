import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** The role tenant-scoped work runs as: no BYPASSRLS, so row-level security always applies. */
export const APP_ROLE = 'portabel_app';

/**
 * Runs work for one kommun in one transaction as the restricted role with `app.kommun` set, so that
 * PostgreSQL's row-level security hides and refuses every other kommun's rows: the second wall
 * behind the application's own kommun checks. Both settings are transaction-local, which also keeps
 * them from leaking between connections on the embedded database (one shared session there).
 */
@Injectable()
export class TenantTransactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  run<T>(kommunCode: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT set_config('app.kommun', $1, true), set_config('role', $2, true)`, [
        kommunCode,
        APP_ROLE,
      ]);
      return work(em);
    });
  }
}
