import { Logger } from 'nestjs-pino';
import { layersOffWarning } from './bench/bench-without';
import { createApp } from './bootstrap';
import { AppConfig, ConfigError, loadConfig } from './config/env.schema';

/**
 * `npm start` passes --demo: outside production, the embedded default then runs with the development
 * identity provider and a demo kommun, so every page can be tried at once. Explicit settings win. Never
 * on a PostgreSQL server (DATABASE_URL): a real kommun's data must not meet a sign-in-as-anyone provider
 * because NODE_ENV was forgotten.
 */
function demoDefaults(env: NodeJS.ProcessEnv, argv: string[]): NodeJS.ProcessEnv {
  if (!argv.includes('--demo') || env.NODE_ENV === 'production' || env.DATABASE_URL) return env;
  return { AUTH_DEV_IDP: 'on', DEMO_DATA: 'on', ...env };
}

function readConfig(): AppConfig {
  try {
    return loadConfig(demoDefaults(process.env, process.argv.slice(2)));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const running = await createApp(config);
  const { app, database } = running;
  const logger = app.get(Logger);
  // Graceful shutdown: stop taking requests, let those in flight finish, close the pool, and only
  // then the embedded database, so that it is closed cleanly on disk.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received, shutting down`, 'Bootstrap');
      running.close().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`shutdown failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  const where =
    database.kind === 'embedded'
      ? `embedded PostgreSQL (PGlite) in ${database.embedded?.dataDir}; for production set DATABASE_URL`
      : 'PostgreSQL server';
  const benchOnly = layersOffWarning(config);
  if (benchOnly) logger.warn(benchOnly, 'Bootstrap');
  logger.log(`portabel listening on ${await app.getUrl()} (${where}); docs at /docs`, 'Bootstrap');
}

main().catch((err: unknown) => {
  process.stderr.write(`portabel failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
