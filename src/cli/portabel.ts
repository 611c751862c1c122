import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config/env.schema';
import { migrationRevert, migrationRun } from './migration.command';
import { seed } from './seed.command';
import { importFile } from './import.command';
import { exportKommun } from './export.command';
import { verifyPackage } from './verify.command';

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
};

const kommunCode = (value: string) => {
  if (!/^[0-9]{4}$/.test(value))
    throw new InvalidArgumentError('must be a four-digit kommun code, e.g. 1980.');
  return value;
};

/**
 * The operator's command line. It works on the same database as the service: the embedded one in
 * DATA_DIR (while the service is stopped: one process at a time) or the server in DATABASE_URL.
 */
const program = new Command()
  .name('portabel')
  .description('portabel: learner-record portability for Swedish schools')
  .showHelpAfterError();

program
  .command('migration:run')
  .description('apply pending database migrations')
  .action(() => migrationRun(loadConfig()));

program
  .command('migration:revert')
  .description('revert the most recent migration')
  .action(() => migrationRevert(loadConfig()));

program
  .command('seed')
  .description('fill a kommun with realistic synthetic pupils (deterministic for a given --seed)')
  .requiredOption('--kommun <code>', 'kommun code, e.g. 1980 (Västerås)', kommunCode)
  .option('--pupils <n>', 'how many pupils', integer('--pupils', 1, 2_000_000), 1000)
  .option(
    '--seed <n>',
    'random seed: the same seed gives the same pupils',
    integer('--seed', 0, 2 ** 31 - 1),
    1,
  )
  .option('--school-units <n>', 'how many school units', integer('--school-units', 1, 500))
  .action((opts: { kommun: string; pupils: number; seed: number; schoolUnits?: number }) =>
    seed(loadConfig({ LOG_LEVEL: 'warn', ...process.env }), opts),
  );

program
  .command('import')
  .description('import a file (OneRoster zip, SS 12000 JSON, ELMO XML, …) into a kommun')
  .argument('<file>', 'the file to import')
  .requiredOption('--kommun <code>', 'kommun code', kommunCode)
  .option('--format <adapter>', 'the format, when not recognised from the file (see GET /v1/adapters)')
  .option('--platform <id>', 'a platform registration (its adapter and options)')
  .option('--dry-run', 'report what would change, and write nothing')
  .option(
    '--mode <mode>',
    'delta (default) or snapshot: pupils of the platform missing from the file are deleted',
  )
  .option('--confirm-deletions', 'go ahead even past the deletion threshold')
  .option('--url <url>', 'a running portabel instance instead of the local database')
  .option('--token <token>', 'access token for --url')
  .action(
    async (
      file: string,
      opts: {
        kommun: string;
        format?: string;
        platform?: string;
        dryRun?: boolean;
        mode?: 'delta' | 'snapshot';
        confirmDeletions?: boolean;
        url?: string;
        token?: string;
      },
    ) => {
      process.exitCode = await importFile(loadConfig({ LOG_LEVEL: 'warn', ...process.env }), file, opts);
    },
  );

program
  .command('export')
  .description("write a kommun's (or a school unit's) pupils in a format to standard output")
  .requiredOption('--kommun <code>', 'kommun code', kommunCode)
  .option('--format <adapter>', 'the format (see GET /v1/adapters)')
  .option('--platform <id>', 'a platform registration (its adapter and options)')
  .option('--school-unit <code>', 'only this school unit')
  .action(async (opts: { kommun: string; format?: string; platform?: string; schoolUnit?: string }) => {
    process.exitCode = await exportKommun(loadConfig({ LOG_LEVEL: 'warn', ...process.env }), opts);
  });

program
  .command('verify')
  .description(
    'check a transfer package offline: exit 0 verified, 1 refused (the problem type says why), ' +
      '3 only the outer layer checked (no --key)',
  )
  .argument('<package>', 'the package (compact JWE) in a file, or - for standard input')
  .requiredOption('--jwks <file-or-url>', "the sender's JWK Set, a file or an http(s) URL")
  .option('--key <file>', "the receiver's private encryption key (a JWK, or a JWK Set) to decrypt with")
  .option('--receiver <code>', 'the kommun it must be addressed to', kommunCode)
  .option('--at <date-time>', 'check expiry as of this time instead of now (ISO 8601)')
  .option('--json', 'one JSON object instead of lines')
  .action(
    async (
      file: string,
      opts: { jwks: string; key?: string; receiver?: string; at?: string; json?: boolean },
    ) => {
      // Offline: no configuration, no database.
      process.exitCode = await verifyPackage(file, opts);
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(
    `${err instanceof ConfigError ? err.message : `portabel: ${err instanceof Error ? err.message : String(err)}`}\n`,
  );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
});
