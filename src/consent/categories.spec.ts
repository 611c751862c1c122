import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATEGORIES, CATEGORY_NAMES, CATEGORY_OF_SECTION, categoryOfPointer } from './categories';

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
  $defs?: Record<string, Schema>;
};

/** Every property path of the learner record schema, $refs followed (cycles cut). */
function paths(root: Schema, node: Schema, prefix: string, seen: Set<string>): string[] {
  if (node.$ref) {
    const name = node.$ref.replace('#/$defs/', '');
    if (seen.has(name)) return [];
    return paths(root, root.$defs![name], prefix, new Set([...seen, name]));
  }
  if (node.items) return paths(root, node.items, `${prefix}/0`, seen);
  const out: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    out.push(`${prefix}/${name}`, ...paths(root, child, `${prefix}/${name}`, seen));
  }
  return out;
}

describe('data categories', () => {
  it('give every field of the canonical record exactly one category', () => {
    const schema = JSON.parse(
      readFileSync(
        join(__dirname, '..', '..', 'openapi', 'schemas', 'learner-record.v1.schema.json'),
        'utf8',
      ),
    ) as Schema;
    const all = paths(schema, schema, '', new Set());
    expect(all.length).toBeGreaterThan(100);
    const without = all.filter((p) => categoryOfPointer(p) === undefined);
    expect(without).toEqual([]);
    expect(Object.keys(CATEGORY_OF_SECTION).sort()).toEqual(Object.keys(schema.properties!).sort());
  });

  it('name every category in Swedish and English', () => {
    for (const c of CATEGORIES)
      expect(CATEGORY_NAMES[c]).toEqual({ sv: expect.any(String), en: expect.any(String) });
  });
});
