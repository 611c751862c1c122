// Made-up school units of a kommun for synthetic data: real district names, generated skolenhetskoder.
import { createPrng, deriveSeed, type Prng } from './prng';
import { findKommun, GENERIC_PLACE_PREFIXES, GENERIC_PLACE_SUFFIXES, type Place } from './school-catalogue';

export interface SeedSchoolUnit {
  /** Skolenhetskod, 8 digits (made up). */
  code: string;
  name: string;
  /** SS 12000 school types the unit runs. */
  schoolTypes: string[];
  /** Years taught, 0 = förskoleklass; inferred from schoolTypes when absent. */
  schoolYears?: { from: number; to: number };
}

export interface GenerateSchoolUnitsOptions {
  kommunCode: string;
  seed: number;
  count: number;
}

/** A unit with the stages it teaches: 0–9 grundskola years (0 = förskoleklass), 10–12 gymnasium years 1–3. */
export interface UnitStages {
  unit: SeedSchoolUnit;
  from: number;
  to: number;
}

const UNIT_KINDS = {
  'F-6': { schoolTypes: ['FKLASS', 'GR', 'FTH'], from: 0, to: 6 },
  'F-9': { schoolTypes: ['FKLASS', 'GR', 'FTH'], from: 0, to: 9 },
  '7-9': { schoolTypes: ['GR'], from: 7, to: 9 },
  GY: { schoolTypes: ['GY'], from: 1, to: 3 },
} as const;
type UnitKind = keyof typeof UNIT_KINDS;

// The first four cover every stage, so even a small kommun has somewhere for every pupil.
// prettier-ignore
const UNIT_KIND_CYCLE: readonly UnitKind[] = ['F-9', 'F-6', 'GY', '7-9', 'F-6', 'F-9', 'F-6', 'GY', 'F-6', '7-9'];

/** Made-up school units of a kommun, named after its districts. Unit j is the same whatever count. */
export function generateSchoolUnits(opts: GenerateSchoolUnitsOptions): SeedSchoolUnit[] {
  assertKommunCode(opts.kommunCode);
  const kommun = findKommun(opts.kommunCode);
  const placePrng = createPrng(deriveSeed(opts.seed, kommun.code, 'places'));
  const generic = GENERIC_PLACE_PREFIXES.flatMap((prefix) =>
    GENERIC_PLACE_SUFFIXES.map((suffix) => ({ name: prefix + suffix.name, stem: prefix + suffix.stem })),
  );
  const places = [...placePrng.shuffle(kommun.places), ...placePrng.shuffle(generic)];

  const units: SeedSchoolUnit[] = [];
  const codes = new Set<string>();
  for (let j = 0; j < opts.count; j++) {
    const prng = createPrng(deriveSeed(opts.seed, kommun.code, 'unit', j));
    const kind = UNIT_KIND_CYCLE[j % UNIT_KIND_CYCLE.length];
    let code: string;
    do code = String(prng.int(10000000, 99999999));
    while (codes.has(code));
    codes.add(code);
    const place = places[j % places.length];
    const round = Math.floor(j / places.length);
    const name = schoolName(prng, kind, place) + (round > 0 ? ` ${round + 1}` : '');
    const { schoolTypes, from, to } = UNIT_KINDS[kind];
    units.push({ code, name, schoolTypes: [...schoolTypes], schoolYears: { from, to } });
  }
  return units;
}

/** The stages a unit teaches, from its school years or, failing those, its school types. */
export function unitStages(unit: SeedSchoolUnit): UnitStages {
  const gy = unit.schoolTypes.includes('GY');
  const years = unit.schoolYears ?? (gy ? { from: 1, to: 3 } : { from: 0, to: 9 });
  return gy ? { unit, from: years.from + 9, to: years.to + 9 } : { unit, from: years.from, to: years.to };
}

export function assertKommunCode(code: string): void {
  if (!/^[0-9]{4}$/.test(code)) {
    throw new RangeError(`kommunCode must be 4 digits, got ${JSON.stringify(code)}`);
  }
}

function schoolName(prng: Prng, kind: UnitKind, place: Place): string {
  if (kind === 'GY') return `${place.stem}gymnasiet`;
  // "Skultuna skola" for a one-word place, otherwise the compound "Kopparlundsskolan".
  if (!place.name.includes(' ') && prng.chance(0.3)) return `${place.name} skola`;
  return `${place.stem}skolan`;
}
