import type { VendorAdapter } from './vendor-adapter.port';

/**
 * Every adapter portabel ships, one line each. A new format or vendor is one folder beside this
 * file and one line here; the conformance kit (test/adapters/conformance) then runs on it.
 */
export const ADAPTERS: readonly VendorAdapter[] = [
  // adapters: one line each, alphabetical
];

export function findAdapter(name: string): VendorAdapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}
