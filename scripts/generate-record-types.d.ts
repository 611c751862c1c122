// Types for the plain CommonJS generator, so TypeScript specs can import it.

/** The TypeScript source for src/records/learner-record.types.ts, generated from the JSON Schema. */
export function generateRecordTypes(): Promise<string>;
export const SCHEMA_PATH: string;
export const TYPES_PATH: string;
