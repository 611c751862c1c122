import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  mergeModuleFragments(doc, join(dir, 'modules'));
  addAccessResponses(doc);
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

/**
 * Each module may describe its own routes in `openapi/modules/<module>.yaml`: a partial document
 * with `paths`, `tags` and `components`, merged into the main one. A name defined twice is an error,
 * so two modules cannot silently overwrite each other's contract.
 */
function mergeModuleFragments(doc: OpenAPIV3_1.Document, modulesDir: string): void {
  if (!existsSync(modulesDir)) return;
  for (const file of readdirSync(modulesDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const fragment = parse(readFileSync(join(modulesDir, file), 'utf8')) as Partial<OpenAPIV3_1.Document>;
    const into = (target: Record<string, unknown>, source: Record<string, unknown> | undefined, where: string) => {
      for (const [name, value] of Object.entries(source ?? {})) {
        if (name in target) throw new Error(`openapi/modules/${file}: ${where}.${name} is already defined`);
        target[name] = value;
      }
    };
    doc.paths ??= {};
    into(doc.paths, fragment.paths, 'paths');
    doc.components ??= {};
    for (const [kind, entries] of Object.entries(fragment.components ?? {})) {
      const section = ((doc.components as Record<string, Record<string, unknown>>)[kind] ??= {});
      into(section, entries, `components.${kind}`);
    }
    doc.tags = [...(doc.tags ?? []), ...(fragment.tags ?? [])];
  }
}

/**
 * The answers every operation can give because of access control, added once here rather than in
 * each of them: 401 and 403 where a token is needed (`security` not emptied), 429 everywhere.
 */
function addAccessResponses(doc: OpenAPIV3_1.Document): void {
  const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item?.[method];
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      const needsToken = !(Array.isArray(operation.security) && operation.security.length === 0);
      if (needsToken) {
        responses['401'] ??= ref('Unauthenticated');
        responses['403'] ??= ref('Forbidden');
      }
      responses['429'] ??= ref('TooManyRequests');
    }
  }
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
