import type { ImportItem, VendorAdapter } from '../vendor-adapter.port';
import { rosterJsonLook } from './json-source';
import { ONEROSTER_OPTIONS_SCHEMA, readOptions } from './oneroster-1.2.options';
import { assembleRoster } from './roster-assembler';
import { openRoster } from './roster-input';
import { ADAPTER_NAME, ADAPTER_VERSION } from './roster-to-record.mapper';
import { writeRoster } from './roster-writer';

/**
 * OneRoster 1.2: the CSV binding (a zip with manifest.csv, bulk or delta; 1.1 exports read too) both
 * ways, and REST JSON responses (one document or a zip of them) on import, for registrations that name
 * this adapter; the REST binding both ways is its twin, oneroster-1.2-rest. Both bindings map to the same
 * intermediate entities first (oneroster-1.2.entities.ts), so one mapper makes every record.
 */
export const oneRosterAdapter: VendorAdapter = {
  name: ADAPTER_NAME,
  version: ADAPTER_VERSION,
  title: 'OneRoster 1.2 (CSV bundle and REST JSON)',
  mediaTypes: { import: ['application/zip', 'application/json'], export: ['application/zip'] },
  reads: ['pupil', 'contact', 'guardians', 'enrolments', 'groups', 'grades'],
  writes: ['pupil', 'contact', 'guardians', 'enrolments', 'groups', 'grades'],
  optionsSchema: ONEROSTER_OPTIONS_SCHEMA,
  exportFormat: { mediaType: 'application/zip', extension: 'zip' },

  sniff(head: Buffer, fileName?: string): number {
    if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) {
      const names = head.toString('latin1');
      if (/manifest\.csv/i.test(names)) return 0.95;
      if (/(users|enrollments|orgs)\.csv/i.test(names)) return 0.7;
      if (/(users|enrollments|orgs|classes|results)[^/]*\.json/i.test(names)) return 0.5;
      return fileName?.toLowerCase().includes('oneroster') ? 0.3 : 0.05;
    }
    const look = rosterJsonLook(head);
    return look === 'keyed' ? 0.85 : look === 'mentioned' ? 0.6 : 0;
  },

  async *import(input, ctx): AsyncGenerator<ImportItem> {
    const opts = readOptions(ctx.options);
    const source = await openRoster(input, opts);
    try {
      yield* assembleRoster(source, ctx, opts);
    } finally {
      await source.close();
    }
  },

  export(records, ctx) {
    return writeRoster(records, ctx);
  },
};
