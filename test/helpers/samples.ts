import { join } from 'node:path';

/**
 * The public sample files of the standards bodies (test/samples/README.md says where each comes
 * from), kept in the repository so that a clone anywhere runs the adapters' tests on them.
 */
export const SAMPLES = join(__dirname, '..', 'samples');
