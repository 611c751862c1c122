import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIV3_1 } from 'openapi-types';
import { parse } from 'yaml';
import { projectRoot } from '../common/project-root';

let cached: OpenAPIV3_1.Document | undefined;

/**
 * The contract, as served at /openapi.json: `openapi/openapi.yaml` with the JSON Schemas it refers to
 * in `openapi/schemas/` placed under components.schemas, so the document stands alone.
 */
export function loadOpenApiDocument(): OpenAPIV3_1.Document {
  if (cached) return cached;
  const dir = join(projectRoot(), 'openapi');
  const doc = parse(readFileSync(join(dir, 'openapi.yaml'), 'utf8')) as OpenAPIV3_1.Document;
  const files = readdirSync(join(dir, 'schemas')).filter((f) => f.endsWith('.schema.json'));
  const componentNames = new Map<string, string>();
  doc.components ??= {};
  doc.components.schemas ??= {};
  for (const file of files) {
    const schema = JSON.parse(readFileSync(join(dir, 'schemas', file), 'utf8'));
    const name = componentName(file);
    componentNames.set(`./schemas/${file}`, name);
    // Inside the schema, "#/$defs/X" must now point into its new home in the document.
    doc.components.schemas[name] = rewriteRefs(schema, (ref) =>
      ref.startsWith('#/') ? `#/components/schemas/${name}/${ref.slice(2)}` : ref,
    );
    delete (doc.components.schemas[name] as Record<string, unknown>).$id;
    delete (doc.components.schemas[name] as Record<string, unknown>).$schema;
  }
  cached = rewriteRefs(doc, (ref) => {
    const [file, fragment] = ref.split('#');
    const name = componentNames.get(file);
    if (!name) return ref;
    return fragment ? `#/components/schemas/${name}${fragment}` : `#/components/schemas/${name}`;
  });
  return cached;
}

/** learner-record.v1.schema.json → LearnerRecordV1 */
function componentName(file: string): string {
  return file
    .replace(/\.schema\.json$/, '')
    .split(/[-.]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function rewriteRefs<T>(node: T, rewrite: (ref: string) => string): T {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, rewrite)) as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = k === '$ref' && typeof v === 'string' ? rewrite(v) : rewriteRefs(v, rewrite);
    }
    return out as T;
  }
  return node;
}
