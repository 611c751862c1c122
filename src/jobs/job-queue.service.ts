import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/env.schema';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { PgBoss } from 'pg-boss';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

export type JobHandler<T> = (data: T) => Promise<void>;

interface Registration {
  handler: JobHandler<unknown>;
  /** How long a job may run without a heartbeat before another worker takes it over. */
  heartbeatSeconds: number;
}

/**
 * The durable job queue: pg-boss in the same PostgreSQL (no other server), on the service's own
 * connection pool. A job survives a crash: pg-boss hands it to a worker again when its heartbeat
 * stops, and the handlers are written to resume from where they were (see ImportRunner).
 * On the embedded database PostgreSQL runs one transaction at a time, so one worker per queue.
 */
@Injectable()
export class JobQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('JobQueue');
  private readonly registrations = new Map<string, Registration>();
  private boss?: PgBoss;
  private markStarted!: () => void;
  /** Resolves once pg-boss runs: other modules' start-up hooks may queue jobs before that. */
  private readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Called by modules in their constructors or onModuleInit; workers start with the application. */
  register<T>(queue: string, handler: JobHandler<T>, opts: { heartbeatSeconds?: number } = {}): void {
    this.registrations.set(queue, {
      handler: handler as JobHandler<unknown>,
      heartbeatSeconds: opts.heartbeatSeconds ?? 30,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => pool.query(text, values) },
      schema: 'pgboss',
      schedule: false,
    });
    this.boss.on('error', (err: Error) =>
      this.logger.error({ err: { message: err.message } }, 'job queue error'),
    );
    await this.boss.start();
    for (const [queue, reg] of this.registrations) {
      await this.boss.createQueue(queue, {
        retryLimit: 5,
        retryDelay: 2,
        retryBackoff: true,
        expireInSeconds: 6 * 3600,
        heartbeatSeconds: reg.heartbeatSeconds,
      });
      if (this.config.JOBS_WORKER === 'off') continue;
      await this.boss.work<unknown>(
        queue,
        { localConcurrency: 1, pollingIntervalSeconds: 1 },
        async (jobs) => {
          for (const job of jobs) await reg.handler(job.data);
        },
      );
    }
    this.markStarted();
  }

  /**
   * Queues a job; the same `key` twice while the first waits gives one job. `startAfter`: not to
   * run before then (an outbox's next retry).
   */
  async send(queue: string, data: object, key?: string, opts: { startAfter?: Date } = {}): Promise<void> {
    await this.started;
    const options = {
      ...(key ? { singletonKey: key } : {}),
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
    };
    await this.boss!.send(queue, data, Object.keys(options).length > 0 ? options : undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Before the pool closes: let running jobs finish their current step (they resume anyway).
    await this.boss?.stop({ graceful: true, timeout: 10_000, close: false });
  }
}
