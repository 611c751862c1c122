import { ConsoleLogger, type LogLevel } from '@nestjs/common';
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
      {
        bufferLogs: options.bufferLogs ?? true,
        bodyParser: false,
        // A start that fails comes back to the caller (main.ts, the CLI), which says why and exits;
        // Nest would otherwise end the process itself, before the CLI's one line.
        abortOnError: false,
        // What Nest says before the logger above takes over (or instead of it, when the start fails).
        ...(config.LOG_STREAM === 'stderr'
          ? { logger: new StderrLogger({ logLevels: nestLevels(config.LOG_LEVEL) }) }
          : {}),
      },
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

/** Nest's own messages on standard error, for a process whose standard output is data (the CLI). */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

/** The levels Nest prints for a LOG_LEVEL (pino's names). */
function nestLevels(level: string): LogLevel[] {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const upTo = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5, silent: -1 }[level] ?? 3;
  return order.slice(0, upTo + 1);
}
