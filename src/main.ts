import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/env.schema';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const running = await createApp(config);
  const { app, database } = running;
  // enableShutdownHooks closes Nest on SIGTERM/SIGINT; the embedded database must close after it.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void running.close().then(() => process.exit(0));
    });
  }
  await app.listen({ port: config.PORT, host: config.HOST });
  const where = database.kind === 'embedded' ? `embedded PostgreSQL in ${database.embedded?.dataDir}` : 'PostgreSQL server';
  app.get(require('nestjs-pino').Logger).log(
    `portabel listening on http://${config.HOST}:${config.PORT} (${where}); docs at /docs`,
    'Bootstrap',
  );
}

main().catch((err) => {
  process.stderr.write(`portabel failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
