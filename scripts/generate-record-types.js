#!/usr/bin/env node
'use strict';
// Writes src/records/learner-record.types.ts from openapi/schemas/learner-record.v1.schema.json,
// so the schema stays the single source of the record's shape. Run: npm run schema:types
// (or with --stdout to print the source instead).
// src/records/learner-record.types.spec.ts fails when the committed file drifts from the schema.

const fs = require('node:fs');
const path = require('node:path');
const { compile } = require('json-schema-to-typescript');

const ROOT = path.resolve(__dirname, '..');
const SCHEMA_PATH = path.join(ROOT, 'openapi/schemas/learner-record.v1.schema.json');
const TYPES_PATH = path.join(ROOT, 'src/records/learner-record.types.ts');

const BANNER = `/**
 * GENERATED FILE, DO NOT EDIT.
 * Source: openapi/schemas/learner-record.v1.schema.json
 * Regenerate with: npm run schema:types
 */`;

/** @returns {Promise<string>} the TypeScript source for the learner record types */
async function generateRecordTypes() {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
  // The schema's title is "LearnerRecord v1" for humans; the root type is named LearnerRecord.
  schema.title = 'LearnerRecord';
  return compile(schema, 'LearnerRecord', {
    bannerComment: BANNER,
    // Resolve nothing from disk or network: the schema only has local #/$defs references.
    cwd: ROOT,
    declareExternallyReferenced: true,
    unreachableDefinitions: true,
    // Bounds stay in the schema; as tuples they would make unusable types.
    maxItems: -1,
    unknownAny: true,
    format: true,
    // Fixed here rather than read from a prettier config, so the output depends on nothing but the schema.
    style: {
      parser: 'typescript',
      singleQuote: true,
      trailingComma: 'all',
      printWidth: 110,
      tabWidth: 2,
      semi: true,
      bracketSpacing: true,
      endOfLine: 'lf',
    },
  });
}

// --stdout prints instead of writing: the drift spec runs this in a child process, because prettier 3
// (which formats the output) loads through dynamic import(), which jest's module sandbox refuses.
async function main(argv) {
  const source = await generateRecordTypes();
  if (argv.includes('--stdout')) {
    process.stdout.write(source);
    return;
  }
  fs.writeFileSync(TYPES_PATH, source);
  process.stdout.write(`wrote ${path.relative(ROOT, TYPES_PATH)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
}

module.exports = { generateRecordTypes, SCHEMA_PATH, TYPES_PATH };
