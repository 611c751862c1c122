import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/env.schema';
import { configureApp, createFastifyAdapter } from './configure-app';
import { DatabaseHandle, openDatabase } from './database/database-connection';

export interface RunningApp {
  app: NestFastifyApplication;
  database: DatabaseHandle;
  /** Stops serving, closes the pool, then the embedded database (in that order, so nothing is cut off). */
  close(): Promise<void>;
}

/** Builds the whole application on its database; main.ts, the CLI and the tests all start here. */
export async function createApp(
  config: AppConfig,
  options: { bufferLogs?: boolean } = {},
): Promise<RunningApp> {
  const database = await openDatabase(config);
  try {
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config, database),
      createFastifyAdapter(config),
      // Our own strict JSON parser replaces Nest's (configureApp).
      { bufferLogs: options.bufferLogs ?? true, bodyParser: false },
    );
    app.useLogger(app.get(Logger));
    await configureApp(app, config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    let closed = false;
    return {
      app,
      database,
      close: async () => {
        if (closed) return;
        closed = true;
        await app.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
