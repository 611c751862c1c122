import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Sql, sql } from './sql';

/** The role tenant-scoped work runs as: no BYPASSRLS, so row-level security always applies. */
export const APP_ROLE = 'portabel_app';

const KOMMUN_CODE = /^[0-9]{4}$/;

/** Makes the rest of the transaction run as the restricted role with `app.kommun` set. */
function enterTenant(kommunCode: string): Sql {
  if (!KOMMUN_CODE.test(kommunCode)) throw new Error(`not a kommun code: ${kommunCode}`);
  return sql`SELECT set_config('app.kommun', ${kommunCode}, true), set_config('role', ${APP_ROLE}, true)`;
}

/** A transaction of one kommun, on one connection: parameterised queries, bound to that kommun. */
export interface TenantTx {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /**
   * The bytes of `COPY (…) TO STDOUT`, whole: for output that must not pass through the driver's text
   * decoding (binary COPY, see copy-binary.ts). The caller bounds its size.
   */
  copyOut(text: string): Promise<Buffer>;
  /** For statements whose affected-row count matters (UPDATE, DELETE). */
  execute(text: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
}

/**
 * Tenant-scoped database access: everything runs as the restricted role with `app.kommun` set, so
 * PostgreSQL's row-level security hides and refuses every other kommun's rows (the second wall
 * behind the application's own kommun checks). Both settings are transaction-local, which also keeps
 * them from leaking between connections on the embedded database (one shared session there).
 *
 * Round trips are what a request costs here (measured: the socket writes of five small queries per
 * GET took a fifth of the service's CPU), so:
 *  - `once` sends the tenant settings and the statements in ONE simple-protocol message: one round
 *    trip, one implicit transaction;
 *  - `transaction` opens with BEGIN and the settings in one message, then takes bound parameters.
 * It works on the pg pool under TypeORM's DataSource: same connections, same limits.
 */
@Injectable()
export class TenantDb {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The statement that makes the rest of a transaction this kommun's (bench/: one without RLS). */
  protected enter(kommunCode: string): string {
    return enterTenant(kommunCode).text;
  }

  private get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  /** Runs the statements as one implicit transaction; returns the rows of the last one. */
  async once<R = Record<string, unknown>>(kommunCode: string, ...statements: Sql[]): Promise<R[]> {
    const text = [this.enter(kommunCode), ...statements.map((s) => s.text)].filter(Boolean).join(';\n');
    // pg answers one result for one statement, an array for several.
    const answer = (await this.pool.query(text)) as unknown as QueryResult | QueryResult[];
    const last = Array.isArray(answer) ? answer[answer.length - 1] : answer;
    return last.rows as R[];
  }

  /** Runs `work` in an explicit transaction of this kommun; rolls back if it throws. */
  async transaction<T>(kommunCode: string, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN;\n${this.enter(kommunCode)}`);
      const tx: TenantTx = {
        query: async (text, params) => (await client.query(text, params)).rows,
        copyOut: async (text) => {
          const chunks: Buffer[] = [];
          for await (const chunk of client.query(copyTo(text)) as AsyncIterable<Buffer>) chunks.push(chunk);
          return Buffer.concat(chunks);
        },
        execute: async (text, params) => {
          const r = await client.query(text, params);
          return { rows: r.rows, rowCount: r.rowCount ?? 0 };
        },
      };
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error; // the connection is unusable: do not return it to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
