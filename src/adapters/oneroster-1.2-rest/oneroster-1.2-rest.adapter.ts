import { rosterJsonLook } from '../oneroster-1.2/json-source';
import { ONEROSTER_OPTIONS_SCHEMA, readOptions } from '../oneroster-1.2/oneroster-1.2.options';
import { assembleRoster } from '../oneroster-1.2/roster-assembler';
import { openRoster } from '../oneroster-1.2/roster-input';
import { writeRosterJson } from '../oneroster-1.2/roster-json-writer';
import type { ImportItem, VendorAdapter } from '../vendor-adapter.port';

const NAME = 'oneroster-1.2-rest';
const VERSION = '1.0.0';

/**
 * OneRoster 1.2, REST JSON binding (the 1EdTech OpenAPI of the rostering and gradebook services): reads
 * response documents (one, or a zip of them) and writes one document holding every collection. It is the
 * CSV adapter's twin: the same intermediate entities, the same mappers and options, another binding; a
 * platform that pulls from a OneRoster API speaks this one.
 */
export const oneRosterRestAdapter: VendorAdapter = {
  name: NAME,
  version: VERSION,
  title: 'OneRoster 1.2 (REST JSON)',
  mediaTypes: { import: ['application/json', 'application/zip'], export: ['application/json'] },
  reads: ['pupil', 'contact', 'guardians', 'enrolments', 'groups', 'grades'],
  writes: ['pupil', 'contact', 'guardians', 'enrolments', 'groups', 'grades'],
  optionsSchema: ONEROSTER_OPTIONS_SCHEMA,
  exportFormat: { mediaType: 'application/json', extension: 'json' },

  // A shade surer than the CSV adapter (which reads REST JSON too) of JSON, and never of a CSV bundle.
  sniff(head: Buffer): number {
    if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) {
      const names = head.toString('latin1');
      if (/manifest\.csv|\.csv/i.test(names)) return 0;
      return /(users|enrollments|orgs|classes|results)[^/]*\.json/i.test(names) ? 0.55 : 0;
    }
    const look = rosterJsonLook(head);
    return look === 'keyed' ? 0.9 : look === 'mentioned' ? 0.65 : 0;
  },

  async *import(input, ctx): AsyncGenerator<ImportItem> {
    const opts = readOptions(ctx.options);
    const source = await openRoster(input, opts);
    try {
      yield* assembleRoster(source, ctx, opts, { name: NAME, version: VERSION });
    } finally {
      await source.close();
    }
  },

  export(records, ctx) {
    return writeRosterJson(records, ctx);
  },
};
