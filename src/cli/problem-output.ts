import type { Problem } from './instance';

/** What a problem's API wording means on the command line. */
const CLI_HINTS: Record<string, string> = {
  'IMPORT.DELETION_THRESHOLD': 'On the command line: import again with --confirm-deletions.',
  'IMPORT.FORMAT_UNKNOWN': 'On the command line: name the format with --format (portabel import --help).',
};

/** A problem for people at a terminal: its detail, each place it points at, and the command-line way out. */
export function writeProblem(problem: Problem, out: NodeJS.WritableStream = process.stderr): void {
  out.write(`${problem.detail ?? problem.title ?? 'The request did not succeed.'}\n`);
  const errors = problem.errors ?? [];
  for (const e of errors.slice(0, 50)) out.write(`  ${placeOf(e)}: ${e.detail ?? ''}\n`);
  if (errors.length > 50) out.write(`  … and ${errors.length - 50} more\n`);
  const hint = problem.code ? CLI_HINTS[problem.code] : undefined;
  if (hint) out.write(`${hint}\n`);
}

/** file line column pointer, as far as known. */
export function placeOf(e: { file?: string; line?: number; column?: number; pointer?: string }): string {
  return (
    [
      e.file,
      e.line !== undefined && `line ${e.line}`,
      e.column !== undefined && `column ${e.column}`,
      e.pointer,
    ]
      .filter(Boolean)
      .join(' ') || '(the input as a whole)'
  );
}
