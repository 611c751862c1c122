import { clrAdapter } from './clr-2.0/clr-2.0.adapter';
import { elmoAdapter } from './elmo/elmo.adapter';
import { googleClassroomAdapter } from './google-classroom/google-classroom.adapter';
import { oneRosterAdapter } from './oneroster-1.2/oneroster-1.2.adapter';
import { oneRosterRestAdapter } from './oneroster-1.2-rest/oneroster-1.2-rest.adapter';
import { ss12000Adapter } from './ss12000/ss12000.adapter';
import type { VendorAdapter } from './vendor-adapter.port';
import { xapiAdapter } from './xapi/xapi.adapter';

/**
 * Every adapter portabel ships, one line each. A new format or vendor is one folder beside this
 * file and one line here; the conformance kit (test/adapters/conformance) then runs on it.
 */
export const ADAPTERS: readonly VendorAdapter[] = [
  // adapters: one line each, alphabetical
  clrAdapter,
  elmoAdapter,
  googleClassroomAdapter,
  oneRosterAdapter,
  oneRosterRestAdapter,
  ss12000Adapter,
  xapiAdapter,
];

export function findAdapter(name: string): VendorAdapter | undefined {
  return ADAPTERS.find((a) => a.name === name);
}
