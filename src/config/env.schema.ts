import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsNumber,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  validateSync,
} from 'class-validator';

/**
 * The service's whole configuration, read from the environment once at start.
 * A bad value stops the process with a message naming the variable, rather than failing later.
 */
export class EnvSchema {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '127.0.0.1';

  /** Absent: the embedded PostgreSQL (PGlite) under DATA_DIR. Present: a PostgreSQL 15+ server. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR = './data';

  /**
   * Encrypts the kommuner's private keys at rest (base64 of 32 random bytes). Absent: a key generated
   * into DATA_DIR/master.key (src/keys/master-key.ts); refused in production with DATABASE_URL.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'must be the base64 of 32 random bytes (openssl rand -base64 32)',
  })
  MASTER_KEY?: string;

  /** Where this instance is reached from outside: issuer ids and key ids (kid URLs) start with it. */
  @ValidateIf((o: EnvSchema) => o.PUBLIC_BASE_URL !== '')
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, {
    message: 'must be an http(s) URL without query or fragment',
  })
  PUBLIC_BASE_URL = '';

  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Where logs go: standard output (the service), or standard error (the CLI, whose output is data). */
  @IsIn(['stdout', 'stderr'])
  LOG_STREAM: 'stdout' | 'stderr' = 'stdout';

  /** Largest accepted JSON request body, in bytes. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT = 2 * 1024 * 1024;

  /** Largest accepted import file, in bytes (streamed to disk and the database, never held whole). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1024)
  @Max(8 * 1024 * 1024 * 1024)
  IMPORT_MAX_BYTES = 1024 * 1024 * 1024;

  /**
   * Heap of an import's or export's conversion thread, in MB (its own, beside the service's): a
   * kommun's shared tables (classes, line items) live there while it runs, ~110 MB at 25,000 pupils.
   */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(64)
  @Max(16384)
  CONVERSION_WORKER_HEAP_MB = 256;

  /** Whether this process works the job queue (the CLI turns it off and runs its job itself). */
  @IsIn(['on', 'off'])
  JOBS_WORKER: 'on' | 'off' = 'on';

  /** A queued or running job that has not moved for this long is queued again by a starting instance. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(86400)
  JOB_STALL_SECONDS = 30;

  /** Transfers: the first retry of a delivery or an acknowledgement waits this long (ms); each next one twice as long… */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  TRANSFER_RETRY_BASE_MS = 2000;

  /** …up to this long (ms). A package is retried until it expires; an acknowledgement as long. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(10)
  @Max(86_400_000)
  TRANSFER_RETRY_MAX_MS = 3_600_000;

  /** How long one delivery to a peer may take (ms) before it counts as failed and is retried. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(100)
  @Max(600_000)
  TRANSFER_DELIVERY_TIMEOUT_MS = 30_000;

  /** Packages (or acknowledgements) a kommun's outbox delivers at the same time. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(64)
  TRANSFER_CONCURRENCY = 16;

  /** Requests per minute per address to the peers' routes (transfer inbox, acknowledgements) before 429. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  RATE_LIMIT_PEER = 12000;

  /** Share of a kommun's pupils an import may delete without the caller confirming it. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsNumber()
  @Min(0)
  @Max(1)
  DELETION_THRESHOLD = 0.1;

  /**
   * The development identity provider (src/auth/dev-idp): issues tokens for any demo user. For
   * trying portabel and for tests only; refused when NODE_ENV=production.
   */
  @IsIn(['on', 'off'])
  AUTH_DEV_IDP: 'on' | 'off' = 'off';

  /**
   * Fill a demo kommun (src/seed/demo-people.ts: DEMO) with synthetic pupils when the database has no
   * kommun at all, so the pages show something at once. `npm start` turns it on outside production.
   */
  @IsIn(['on', 'off'])
  DEMO_DATA: 'on' | 'off' = 'off';

  /** A JSON file listing the OIDC issuers whose tokens people sign in with (README: Sign-in). */
  @IsOptional()
  @IsString()
  AUTH_ISSUERS_FILE?: string;

  /** Lifetime of the access tokens POST /oauth/token issues to platforms, in seconds. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(30)
  @Max(3600)
  ACCESS_TOKEN_TTL_SECONDS = 300;

  /** Requests a person may make per minute (per instance), before 429. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  RATE_LIMIT_PERSON = 600;

  /** Requests a platform client may make per minute (per instance), before 429. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  RATE_LIMIT_PLATFORM = 12000;

  /** Requests per minute from one address to the routes anyone may call (token endpoint, JWKS…). */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  RATE_LIMIT_ANONYMOUS = 600;

  /** Origins (comma-separated) whose pages may call the API from a browser; empty: none (CORS closed). */
  @Matches(/^$|^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/, {
    message: 'must be a comma-separated list of http(s) origins, or empty',
  })
  CORS_ORIGINS = '';
  /** The audit log signs a checkpoint of a kommun's chain after this many new entries… */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  AUDIT_CHECKPOINT_EVERY = 1000;

  /** …and at least this often (seconds) while entries come in. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(86400)
  AUDIT_CHECKPOINT_SECONDS = 300;

  /**
   * A JWK Set file of the federation operators whose signed trust lists kommuner may apply
   * (README: Trust registry). Absent: no trust list is accepted; peers are added by hand.
   */
  @IsOptional()
  @IsString()
  TRUST_OPERATOR_JWKS_FILE?: string;

  /** A peer's keys fetched from its JWKS URL are fetched again after this many seconds. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(60)
  @Max(7 * 86400)
  TRUST_JWKS_TTL_SECONDS = 3600;

  /** Largest transfer package (compact JWE) accepted, in bytes. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(64 * 1024)
  @Max(256 * 1024 * 1024)
  TRANSFER_PACKAGE_MAX_BYTES = 8 * 1024 * 1024;

  /** Largest accepted bulk (NDJSON) request body, in bytes. */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  BULK_BODY_LIMIT = 256 * 1024 * 1024;

  /**
   * BENCHMARK ONLY (bench/access.bench.js): access-control layers to switch off, comma-separated
   * `auth`, `rls`, `audit` (src/bench/bench-without.ts). Refused when NODE_ENV=production.
   */
  @Matches(/^$|^(auth|rls|audit)(,(auth|rls|audit))*$/, {
    message: 'must be empty or a comma-separated list of auth, rls, audit',
  })
  BENCH_WITHOUT = '';
}

export type AppConfig = Readonly<EnvSchema>;

export class ConfigError extends Error {}

/** Variables whose values may hold a secret (a key, a database password). */
const SECRETS = new Set(['MASTER_KEY', 'DATABASE_URL']);

/** Validates `env` (normally process.env) and returns a typed, frozen configuration. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new EnvSchema());
  const picked: Record<string, string> = {};
  for (const key of [
    ...known,
    'DATABASE_URL',
    'MASTER_KEY',
    'AUTH_ISSUERS_FILE',
    'TRUST_OPERATOR_JWKS_FILE',
  ]) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const config = plainToInstance(EnvSchema, picked, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    // The value as written in the environment (not as converted: PORT=abc is not PORT=null); a
    // secret is never echoed, not even a malformed one.
    const lines = errors.map(
      (e) =>
        `  ${e.property}=${SECRETS.has(e.property) ? '(hidden)' : JSON.stringify(picked[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigError(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  // Several instances share a server database: a key file each would seal keys none of the others
  // can open, so production on a server needs the one MASTER_KEY from the environment.
  if (config.NODE_ENV === 'production' && config.DATABASE_URL && !config.MASTER_KEY) {
    throw new ConfigError(
      'Invalid configuration in the environment:\n  MASTER_KEY: required when NODE_ENV=production and DATABASE_URL is set',
    );
  }
  if (config.NODE_ENV === 'production' && config.DEMO_DATA === 'on') {
    throw new ConfigError(
      'Invalid configuration in the environment:\n  DEMO_DATA=on: refused when NODE_ENV=production',
    );
  }
  // The development identity provider signs in anyone as anyone: never in production.
  if (config.NODE_ENV === 'production' && config.AUTH_DEV_IDP === 'on') {
    throw new ConfigError(
      'Invalid configuration in the environment:\n  AUTH_DEV_IDP=on: refused when NODE_ENV=production',
    );
  }
  // Switching off authentication, row-level security or the audit log is for measuring them only.
  if (config.NODE_ENV === 'production' && config.BENCH_WITHOUT !== '') {
    throw new ConfigError(
      'Invalid configuration in the environment:\n  BENCH_WITHOUT: a benchmark switch, refused when NODE_ENV=production',
    );
  }
  config.PUBLIC_BASE_URL = (config.PUBLIC_BASE_URL || `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
  return Object.freeze(config);
}
