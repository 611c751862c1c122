import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/env.schema';
import { migrationRevert, migrationRun } from './migration.command';
import { seed } from './seed.command';
import { importFile, type ImportOptions } from './import.command';
import { exportKommun, type ExportOptions } from './export.command';
import { verifyPackage } from './verify.command';
import { ProblemError } from './instance';
import { writeProblem } from './problem-output';

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

/** The configuration of a command on the local database: quiet, and its logs on standard error. */
const cliConfig = () => loadConfig({ LOG_LEVEL: 'warn', ...process.env, LOG_STREAM: 'stderr' });

/** --url and --token, for the commands that can work on a running instance. */
const instanceOptions = (command: Command) =>
  command
    .option('--url <url>', 'a running portabel instance instead of the local database')
    .addOption(
      new Option('--token <token>', 'access token for --url (or PORTABEL_TOKEN, which ps does not show)').env(
        'PORTABEL_TOKEN',
      ),
    );

// A reader that stops early (`portabel export … | head`) closes the pipe: nothing more to write.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

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
    seed(cliConfig(), opts),
  );

instanceOptions(
  program
    .command('import')
    .description('import a file (OneRoster zip, SS 12000 JSON, ELMO XML, …) into a kommun')
    .argument('<file>', 'the file to import')
    .requiredOption('--kommun <code>', 'kommun code', kommunCode)
    .option('--format <adapter>', 'the format, when not recognised from the file (see GET /v1/adapters)')
    .option('--platform <id>', 'a platform registration (its adapter and options)')
    .option('--dry-run', 'report what would change, and write nothing')
    .addOption(
      new Option(
        '--mode <mode>',
        'delta (default) or snapshot: pupils of the platform missing from the file are deleted',
      ).choices(['delta', 'snapshot']),
    )
    .option('--confirm-deletions', 'go ahead even past the deletion threshold'),
).action(async (file: string, opts: ImportOptions) => {
  process.exitCode = await importFile(cliConfig(), file, opts);
});

instanceOptions(
  program
    .command('export')
    .description("write a kommun's (or a school unit's) pupils in a format to standard output")
    .requiredOption('--kommun <code>', 'kommun code', kommunCode)
    .option('--format <adapter>', 'the format (see GET /v1/adapters)')
    .option('--platform <id>', 'a platform registration (its adapter and options)')
    .option('--school-unit <code>', 'only this school unit'),
).action(async (opts: ExportOptions) => {
  process.exitCode = await exportKommun(cliConfig(), opts);
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
  if (err instanceof ProblemError) writeProblem(err.problem);
  else
    process.stderr.write(
      `${err instanceof ConfigError ? err.message : `portabel: ${err instanceof Error ? err.message : String(err)}`}\n`,
    );
  process.exitCode = err instanceof ConfigError ? 2 : 1;
});
