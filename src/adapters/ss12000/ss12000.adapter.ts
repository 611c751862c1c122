import type { AdapterInput, ImportContext, ImportItem, VendorAdapter } from '../vendor-adapter.port';
import { writeSs12000Bundle } from './ss12000-bundle.writer';
import { EntityIndex } from './ss12000-entity-index';
import { readInputParts } from './ss12000-input.reader';
import { joinPupils } from './ss12000-join';

const VERSION = '1.0.0';

/** Fields only SS 12000 entities have; a JSON head with several of them is very likely SS 12000. */
const MARKERS = [
  '"civicNo"', '"enrolments"', '"enroledAt"', '"groupMemberships"', '"schoolUnitCode"', '"organisationType"',
  '"securityMarking"', '"eduPersonPrincipalNames"', '"responsibles"', '"activityType"', '"gradeValue"',
  '"groupType"', '"pageToken"', '"placedAt"', '"attendanceSum"', '"displayName"', '"deletedEntities"',
]; // prettier-ignore

const COLLECTION_FILE =
  /(^|\/)(persons|organisations|groups|placements|grades|aggregatedattendances?|activities|syllabuses|programmes|duties)([-_ ]?(page)?[-_ ]?[0-9]*)?\.json/i;

/**
 * SS 12000 (v2.1, the Swedish school data standard) as its API answers: single entities, pages
 * `{ data, pageToken }`, `/deletedEntities` answers, and bundles of them (one JSON document keyed by
 * collection, or a zip of such files). Export writes one JSON bundle (see ss12000-bundle.writer.ts).
 */
export const ss12000Adapter: VendorAdapter = {
  name: 'ss12000',
  version: VERSION,
  title: 'SS 12000 (v2.1 JSON: persons, organisations, placements, groups, grades, aggregated attendance)',
  mediaTypes: { import: ['application/json', 'application/zip'], export: ['application/json'] },
  reads: ['pupil', 'contact', 'guardians', 'enrolments', 'groups', 'grades', 'attendance'],
  writes: ['pupil', 'contact', 'guardians', 'enrolments', 'groups', 'grades', 'attendance'],
  optionsSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      organiserCode: {
        type: 'string',
        pattern: '^[0-9]{4}$',
        description:
          'Organiser kommun of enrolments whose organisation tree names no Huvudman with a municipalityCode (default: the importing kommun). Reported as defaulted either way.',
      },
      defaultSecurityMarking: {
        enum: ['Ingen', 'Sekretessmarkering', 'Skyddad folkbokföring'],
        description: 'securityMarking of persons that have none (default Ingen). Reported as defaulted.',
      },
    },
  },
  exportFormat: { mediaType: 'application/json', extension: 'json' },

  sniff(head: Buffer, fileName?: string): number {
    const nameHint =
      fileName !== undefined && (COLLECTION_FILE.test(fileName) || /ss-?12000/i.test(fileName));
    if (head[0] === 0x50 && head[1] === 0x4b) {
      // A zip: the local headers near the start name its first entries.
      const names = head.toString('latin1');
      if (COLLECTION_FILE.test(names)) return 0.8;
      return nameHint ? 0.4 : 0;
    }
    const text = head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (!text.startsWith('{') && !text.startsWith('[')) return 0;
    // A canonical learner record names these; SS 12000 never does.
    if (text.includes('"schemaVersion"') && text.includes('"pupil"')) return 0.05;
    const hits = MARKERS.filter((m) => text.includes(m)).length;
    if (hits === 0) return nameHint ? 0.3 : 0;
    return Math.min(0.95, 0.35 + hits * 0.12 + (nameHint ? 0.2 : 0));
  },

  async *import(input: AdapterInput, ctx: ImportContext): AsyncIterable<ImportItem> {
    const index = new EntityIndex();
    try {
      for await (const parts of readInputParts(input)) for (const part of parts) index.add(part);
      index.finish();
      yield* joinPupils(index, ctx, ctx.options, VERSION);
    } finally {
      index.dispose();
    }
  },

  export(records, ctx) {
    return writeSs12000Bundle(records, ctx, `portabel ss12000 ${VERSION}`);
  },
};
