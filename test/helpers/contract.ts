import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { loadOpenApiDocument } from '../../src/openapi/openapi-document';

const document = loadOpenApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, 'openapi');

const escape = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The path template of the document that a concrete path matches (concrete segments win). */
export function templateFor(path: string): string | undefined {
  const segments = path.split('?')[0].split('/');
  const candidates = Object.keys(document.paths ?? {}).filter((template) => {
    const parts = template.split('/');
    return parts.length === segments.length && parts.every((p, i) => p.startsWith('{') || p === segments[i]);
  });
  // Prefer the template with the most literal segments (/records/bulk over /records/{recordId}).
  return candidates.sort((a, b) => literalCount(b) - literalCount(a))[0];
}
const literalCount = (t: string): number => t.split('/').filter((p) => !p.startsWith('{')).length;

/**
 * Fails unless the response's status is documented for this operation and its body validates
 * against the documented schema for its content type.
 */
export function expectContract(res: Response, method: string, path: string): void {
  const template = templateFor(path);
  if (!template) throw new Error(`${path} is not in openapi/openapi.yaml`);
  const operation = (document.paths as any)[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${template} is not in openapi/openapi.yaml`);
  const status = String(res.status);
  if (!operation.responses[status]) {
    throw new Error(
      `${method} ${template} answered ${status}, which the contract does not list (body: ${JSON.stringify(res.body)})`,
    );
  }
  if (res.status === 204 || res.status === 304) return;
  const contentType = String(res.headers['content-type'] ?? '').split(';')[0];
  const ref = operation.responses[status].$ref as string | undefined;
  const base = ref
    ? `${ref.replace('#', 'openapi#')}`
    : `openapi#/paths/${escape(template)}/${method.toLowerCase()}/responses/${status}`;
  const responseObject = ref
    ? (document.components as any).responses[ref.split('/').pop()!]
    : operation.responses[status];
  if (!responseObject.content?.[contentType]) {
    throw new Error(`${method} ${template} ${status}: content type ${contentType} is not documented`);
  }
  const validate = ajv.getSchema(`${base}/content/${escape(contentType)}/schema`);
  if (!validate) throw new Error(`no schema for ${method} ${template} ${status} ${contentType}`);
  if (!validate(res.body)) {
    throw new Error(
      `${method} ${path} ${status} does not match the contract:\n${JSON.stringify(validate.errors, null, 2)}\nbody: ${JSON.stringify(res.body).slice(0, 2000)}`,
    );
  }
}

/** The errors of validating a value against a schema of the document's components ([] when it is valid). */
export function schemaErrors(component: string, value: unknown): string[] {
  const validate = ajv.getSchema(`openapi#/components/schemas/${component}`);
  if (!validate) throw new Error(`no components/schemas/${component} in openapi/openapi.yaml`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
