import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from '../common/problem/domain-error';
import type { VendorAdapter } from './vendor-adapter.port';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// An IANA zone name the runtime knows (Europe/Stockholm), checked the way it will be used.
ajv.addFormat('time-zone', (zone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
});
const compiled = new Map<string, ValidateFunction>();

/** Checks a platform's options against the adapter's own schema; a pointer per bad field. */
export function checkAdapterOptions(adapter: VendorAdapter, options: unknown, at = '/options'): FieldError[] {
  if (!adapter.optionsSchema) {
    return options && typeof options === 'object' && Object.keys(options).length > 0
      ? [{ pointer: at, detail: `adapter ${adapter.name} takes no options` }]
      : [];
  }
  let validate = compiled.get(adapter.name);
  if (!validate) {
    validate = ajv.compile(adapter.optionsSchema);
    compiled.set(adapter.name, validate);
  }
  if (validate(options)) return [];
  // if/then only says which branch failed; the errors inside it point at the field.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames');
  const seen = new Set<string>();
  return errors
    .map((e) => {
      const params = e.params as { additionalProperty?: string; allowedValues?: unknown[] };
      // ajv marks an error about a key (not its value) with the key, on the error itself.
      const badKey = (e as { propertyName?: string }).propertyName;
      const key = e.keyword === 'additionalProperties' ? params.additionalProperty : badKey;
      const pointer = `${at}${e.instancePath}${key !== undefined ? `/${escapePointer(key)}` : ''}`;
      const detail =
        e.keyword === 'additionalProperties'
          ? 'unknown option'
          : e.keyword === 'format' && e.params.format === 'time-zone'
            ? 'not an IANA time zone, e.g. Europe/Stockholm'
            : e.keyword === 'enum' && params.allowedValues
              ? `${badKey !== undefined ? 'not' : 'must be'} one of ${params.allowedValues.join(', ')}`
              : (e.message ?? 'invalid');
      return { pointer, detail };
    })
    .filter((e) => !seen.has(e.pointer + e.detail) && seen.add(e.pointer + e.detail));
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
