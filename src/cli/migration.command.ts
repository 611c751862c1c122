import { AppConfig } from '../config/env.schema';
import { connect, openDatabase } from '../database/database-connection';

export async function migrationRun(config: AppConfig): Promise<void> {
  const handle = await openDatabase(config);
  try {
    const ds = await connect(handle, false);
    const applied = await ds.runMigrations({ transaction: 'each' });
    process.stdout.write(
      applied.length ? applied.map((m) => `applied ${m.name}\n`).join('') : 'nothing to apply\n',
    );
    await ds.destroy();
  } finally {
    await handle.close();
  }
}

export async function migrationRevert(config: AppConfig): Promise<void> {
  const handle = await openDatabase(config);
  try {
    const ds = await connect(handle, false);
    await ds.undoLastMigration({ transaction: 'each' });
    process.stdout.write('reverted the most recent migration (if any)\n');
    await ds.destroy();
  } finally {
    await handle.close();
  }
}
