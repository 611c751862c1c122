import { CreateFoundation1767225600000 } from './1767225600000-CreateFoundation';

/** Every migration, in order. Listed explicitly so that tests, the CLI and the build agree. */
export const MIGRATIONS = [CreateFoundation1767225600000];
