import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { AppConfig } from '../config/env.schema';
import { EmbeddedPostgres } from './embedded-postgres';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming.strategy';

/**
 * Where the data lives: a PostgreSQL server when DATABASE_URL is set, else the embedded PGlite.
 * One code path after this point: the same driver, entities and migrations for both.
 */
export interface DatabaseHandle {
  kind: 'server' | 'embedded';
  options: DataSourceOptions;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

export async function openDatabase(config: AppConfig): Promise<DatabaseHandle> {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: false,
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'portabel',
    connectTimeoutMS: 5_000,
    extra: { idleTimeoutMillis: 30_000 },
  };
  if (config.DATABASE_URL) {
    return { kind: 'server', options: { ...common, url: config.DATABASE_URL }, close: async () => {} };
  }
  const embedded = await EmbeddedPostgres.open(config.DATA_DIR, config.DB_POOL_SIZE + 2);
  return {
    kind: 'embedded',
    embedded,
    options: { ...common, ...embedded.connectionOptions },
    close: () => embedded.close(),
  };
}

/** A DataSource for one-off work (CLI, tests) outside the Nest application. */
export async function connect(handle: DatabaseHandle, runMigrations = true): Promise<DataSource> {
  const ds = new DataSource({ ...handle.options, migrationsRun: false });
  await ds.initialize();
  if (runMigrations) await ds.runMigrations({ transaction: 'each' });
  return ds;
}
