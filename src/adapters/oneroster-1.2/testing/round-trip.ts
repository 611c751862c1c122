// Test support: compares a re-imported record with the original except where loss entries say they may
// differ, as the conformance kit does (provenance ignored, arrays compared as multisets).
import type { LearnerRecord } from '../../../records/learner-record.types';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The two records with every named place removed from both, provenance dropped and arrays sorted by
 * their canonical JSON: equal when the round trip lost nothing it did not report.
 */
export function maskedPair(
  original: LearnerRecord,
  reimported: LearnerRecord,
  exportPointers: readonly string[],
  importPointers: readonly string[],
): { original: Json; reimported: Json } {
  const a = withoutProvenance(original as unknown as Json);
  const b = withoutProvenance(reimported as unknown as Json);
  // A pointer through an array index names an item of its own side only (arrays renumber); one without
  // names the same place in both records.
  const indexed = (p: string) => /\/[0-9]+(\/|$)/.test(p);
  const forOriginal = [...exportPointers, ...importPointers.filter((p) => !indexed(p))];
  const forReimported = [...importPointers, ...exportPointers.filter((p) => !indexed(p))];
  removeAll(a, forOriginal);
  removeAll(b, forReimported);
  return { original: canonical(compact(a)), reimported: canonical(compact(b)) };
}

function removeAll(root: Json, pointers: readonly string[]): void {
  // Deepest and highest index first, so removing an array item does not shift the ones still to remove.
  for (const pointer of [...new Set(pointers)].sort((x, y) => comparePointers(y, x))) remove(root, pointer);
}

const REMOVED = Symbol('removed');

function remove(root: Json, pointer: string): void {
  if (pointer === '') return;
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Json | undefined = root;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = Array.isArray(node) ? node[Number(part)] : node[part];
  }
  const last = parts[parts.length - 1];
  if (Array.isArray(node)) {
    const i = Number(last);
    if (i < node.length) (node as unknown[])[i] = REMOVED;
  } else if (node && typeof node === 'object') delete node[last];
}

function compact(value: Json): Json {
  if (Array.isArray(value)) return value.filter((v) => (v as unknown) !== REMOVED).map(compact);
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[k] = compact(v);
    return out;
  }
  return value;
}

function withoutProvenance(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutProvenance);
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'provenance') out[k] = withoutProvenance(v);
    // A section left empty by the removals is the same as no section.
    for (const [k, v] of Object.entries(out))
      if (
        (Array.isArray(v) && v.length === 0) ||
        (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
      )
        delete out[k];
    return out;
  }
  return value;
}

function canonical(value: Json): Json {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value))
    return value.map(canonical).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const k of Object.keys(value).sort()) {
      const v = canonical(value[k]);
      if (
        (Array.isArray(v) && v.length === 0) ||
        (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
      )
        continue;
      out[k] = v;
    }
    return out;
  }
  return value;
}

function comparePointers(x: string, y: string): number {
  const px = x.split('/');
  const py = y.split('/');
  for (let i = 0; i < Math.min(px.length, py.length); i++) {
    if (px[i] === py[i]) continue;
    const nx = Number(px[i]);
    const ny = Number(py[i]);
    if (Number.isInteger(nx) && Number.isInteger(ny)) return nx - ny;
    return px[i] < py[i] ? -1 : 1;
  }
  return px.length - py.length;
}
