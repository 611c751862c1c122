import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from '../common/problem/domain-error';
import type { VendorAdapter } from './vendor-adapter.port';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
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
  return (validate.errors ?? []).map((e) => ({
    pointer: `${at}${e.instancePath}${e.keyword === 'additionalProperties' ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}` : ''}`,
    detail: e.keyword === 'additionalProperties' ? 'unknown option' : (e.message ?? 'invalid'),
  }));
}
