import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import * as lockfile from 'proper-lockfile';

/**
 * The embedded PostgreSQL: PGlite persisted under a data directory, reached through its socket
 * server so that the application uses the same `pg` driver, pool and SQL as with a real server.
 * (typeorm-pglite hands every caller one session, which broke per-transaction tenant settings.)
 *
 * The socket server multiplexes all connections onto PGlite's single session and runs one
 * transaction at a time. Code must therefore never wait on a second connection while holding a
 * transaction, and must keep session state transaction-local (SET LOCAL / set_config(..., true)).
 */
const readFileSyncSafe = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export class EmbeddedPostgres {
  private socketServer?: PGLiteSocketServer;
  private socketDir?: string;
  private releaseLock?: () => Promise<void>;

  private constructor(
    readonly dataDir: string,
    private readonly db: PGlite,
    private readonly maxConnections: number,
  ) {}

  /** Opens (or creates) the database in `dataDir` and starts listening on a private Unix socket. */
  static async open(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Two processes writing one PGlite directory corrupt it: refuse a second opener.
    let release: () => Promise<void>;
    const lockOptions = { lockfilePath: join(dir, 'portabel.lock'), stale: 15_000, update: 5_000 };
    const pidFile = join(dir, 'portabel.pid');
    try {
      release = await lockfile.lock(dir, lockOptions).catch(async (err: unknown) => {
        // The holder died without unlocking (a crash, kill -9): its lock is ours once we know it is gone.
        const holder = Number(readFileSyncSafe(pidFile));
        if (!holder || isAlive(holder)) throw err;
        rmSync(lockOptions.lockfilePath, { recursive: true, force: true });
        return lockfile.lock(dir, lockOptions);
      });
      writeFileSync(pidFile, String(process.pid));
    } catch {
      throw new Error(
        `The embedded database in ${dir} is in use by another portabel process. ` +
          'Stop it, or point this process at a running instance (--url) or at a PostgreSQL server (DATABASE_URL).',
      );
    }
    const db = await PGlite.create(join(dir, 'pgdata'));
    const embedded = new EmbeddedPostgres(dir, db, maxConnections);
    embedded.releaseLock = release;
    await embedded.startSocket();
    return embedded;
  }

  /** Connection settings for `pg` / TypeORM. */
  get connectionOptions(): { host: string; port: number; username: string; database: string } {
    if (!this.socketDir) throw new Error('embedded database is not listening');
    // pg reaches a Unix socket as host=<directory>, port=<n> → <directory>/.s.PGSQL.<n>
    return { host: this.socketDir, port: 5432, username: 'postgres', database: 'postgres' };
  }

  /** Starts accepting connections (again); used at open and after a simulated outage in tests. */
  async startSocket(): Promise<void> {
    // A short path under the temp dir: Unix socket paths are limited to ~107 bytes.
    this.socketDir ??= mkdtempSync(join(tmpdir(), 'portabel-pg-'));
    this.socketServer = new PGLiteSocketServer({
      db: this.db,
      path: join(this.socketDir, '.s.PGSQL.5432'),
      maxConnections: this.maxConnections,
    });
    await this.socketServer.start();
  }

  /** Stops accepting connections and drops the open ones; the data stays open. */
  async stopSocket(): Promise<void> {
    await this.socketServer?.stop();
    this.socketServer = undefined;
  }

  async close(): Promise<void> {
    await this.stopSocket();
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
    this.socketDir = undefined;
    if (!this.db.closed) await this.db.close();
    await this.releaseLock?.();
    this.releaseLock = undefined;
  }
}
