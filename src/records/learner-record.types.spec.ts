import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('learner-record.types.ts', () => {
  it('matches what the JSON Schema generates', () => {
    // A child process, because the generator's formatter (prettier 3) cannot load inside jest's sandbox.
    const expected = execFileSync(
      process.execPath,
      [join(ROOT, 'scripts', 'generate-record-types.js'), '--stdout'],
      {
        encoding: 'utf8',
      },
    );
    const committed = readFileSync(join(ROOT, 'src', 'records', 'learner-record.types.ts'), 'utf8');
    if (committed !== expected) {
      throw new Error(
        'src/records/learner-record.types.ts is out of date with openapi/schemas/learner-record.v1.schema.json: ' +
          'run `npm run schema:types` and commit the result',
      );
    }
  });
});
