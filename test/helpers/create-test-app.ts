import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { createApp, RunningApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/env.schema';
import { authAs } from './auth';
import {
  dropServerDatabase,
  freshEmbeddedDir,
  freshServerDatabase,
  removeDir,
  serverUrl,
} from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  running: RunningApp;
  server: Server;
  config: AppConfig;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * On the server, a database of its own with this name's suffix instead of the shared test
   * database: the other test files' instances share that one's job queue and would run this
   * instance's jobs with their configuration. (Embedded, every instance has its own anyway.)
   */
  ownDatabase?: string;
}

/**
 * The real application (same module, same configureApp as production) on a real database: a copy of
 * the migrated embedded template, or the PostgreSQL server named by DATABASE_URL.
 */
export async function createTestApp(
  overrides: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const shared = serverUrl();
  const url = shared && options.ownDatabase ? await freshServerDatabase(shared, options.ownDatabase) : shared;
  const dataDir = url ? undefined : freshEmbeddedDir('app');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DB_POOL_SIZE: '4',
    AUTH_DEV_IDP: 'on',
    ...(url ? { DATABASE_URL: url } : { DATA_DIR: dataDir }),
    ...overrides,
  });
  const running = await createApp(config);
  return {
    app: running.app,
    running,
    server: running.app.getHttpServer(),
    config,
    close: async () => {
      await running.close();
      if (dataDir) removeDir(dataDir);
      if (shared && url !== shared) await dropServerDatabase(shared, url!);
    },
  };
}

/**
 * Registers a kommun under a code no other test uses: random, retried on a clash, so test files can
 * share one server database without seeing each other's rows.
 */
export async function createKommun(t: TestApp, name = 'Testkommun'): Promise<string> {
  const operator = await authAs(t, { role: 'operator' });
  for (let attempt = 0; attempt < 20; attempt++) {
    // 5000–9999: no real kommun has such a code, so seeded catalogue kommuner never clash.
    const code = String(5000 + randomInt(5000));
    const res = await request(t.server).post('/v1/kommuner').set(operator).send({ code, name });
    if (res.status === 201) return code;
    if (res.status !== 409)
      throw new Error(`could not create kommun: ${res.status} ${JSON.stringify(res.body)}`);
  }
  throw new Error('no free kommun code after 20 tries');
}
