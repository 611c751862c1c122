// Every adapter in the registry, held to the same checks (conformance-kit.ts says what each one means). A
// new adapter is covered by its registry line and its fixtures folder; nothing here names an adapter.
import fc from 'fast-check';
import { ADAPTERS } from '../../../src/adapters/registry';
import type { VendorAdapter } from '../../../src/adapters/vendor-adapter.port';
import {
  createKitKeys,
  declarationProblems,
  defaultOptions,
  determinismProblems,
  discoverFixtures,
  exportSniffProblems,
  exportsRecords,
  fixtureProblems,
  garbageCases,
  garbageProblems,
  imports,
  kitRecords,
  removeScratch,
  roundTrip,
  signingAlgorithms,
  sniffProblems,
  sniffRobustnessProblems,
  sniffSamples,
  stampProblems,
  swedishTextProblems,
  type KitKeys,
} from './conformance-kit';

/** fast-check's seed: fixed so a failure reproduces; CONFORMANCE_SEED=<n> explores others. */
const FC_SEED = Number(process.env.CONFORMANCE_SEED ?? 20260302);
/** Round trips per adapter; CONFORMANCE_RUNS=<n> runs more when hunting a rare failure. */
const ROUND_TRIP_RUNS = Number(process.env.CONFORMANCE_RUNS ?? 20);
const KOMMUNER = ['1980', '0180', '1480'];

/** Passes on an empty list; otherwise fails with one line per problem. */
function expectNone(problems: string[]): void {
  if (problems.length > 0) throw new Error(`${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
}

let keys: KitKeys;
beforeAll(async () => {
  keys = await createKitKeys();
});
afterAll(() => removeScratch());

describe.each(ADAPTERS.map((adapter) => [adapter.name, adapter] as [string, VendorAdapter]))(
  'adapter %s',
  (_, adapter) => {
    const fixtures = imports(adapter) ? discoverFixtures(adapter) : { cases: [], problems: [] };

    it('declares its name, version, media types, sections and options consistently', () => {
      expectNone(declarationProblems(adapter, ADAPTERS));
    });

    if (imports(adapter)) {
      describe('fixtures', () => {
        it('has ok and not-ok fixtures, each with its expect.json', () => {
          expectNone(fixtures.problems);
        });

        if (fixtures.cases.length > 0) {
          it.each(fixtures.cases.map((c) => [`${c.dir}/${c.file}`, c] as const))(
            '%s imports as its expect.json says',
            async (_name, fixture) => {
              expectNone(await fixtureProblems(adapter, fixture, keys));
            },
          );
        }

        it('stamps source.platform and provenance as the import convention says, and fills only what reads lists', async () => {
          const problems: string[] = [];
          for (const fixture of fixtures.cases.filter((c) => c.dir === 'ok'))
            problems.push(...(await stampProblems(adapter, fixture, keys)));
          expectNone(problems);
        });
      });

      describe('malformed input', () => {
        const garbage = garbageCases(adapter, fixtures.cases);
        if (garbage.problems.length > 0) {
          it('has an ok fixture to make malformed copies of', () => {
            expectNone(garbage.problems);
          });
        }
        it.each(garbage.cases.map((g) => [g.name, g] as const))(
          'copes with %s: imports it right, or refuses it saying where',
          async (_name, g) => {
            expectNone(await garbageProblems(adapter, g, keys));
          },
          30_000,
        );
      });

      describe('sniffing', () => {
        it('scores its own ok fixtures above every other adapter', () => {
          expectNone(sniffProblems(adapter, fixtures.cases, ADAPTERS));
        });

        it('answers 0 to 1 for any bytes, and never throws', () => {
          expectNone(sniffRobustnessProblems(adapter, sniffSamples(ADAPTERS)));
        });

        if (exportsRecords(adapter)) {
          it('recognises its own export above every other adapter', async () => {
            expectNone(await exportSniffProblems(adapter, ADAPTERS, keys));
          });
        }
      });
    }

    if (exportsRecords(adapter)) {
      it('exports byte-identically for the same records and context', async () => {
        expectNone(await determinismProblems(adapter, keys));
      });
    }

    if (imports(adapter) && exportsRecords(adapter)) {
      describe('round trip', () => {
        it('brings back what it exports, except exactly where the loss entries say (property-based)', async () => {
          let compared = 0;
          await fc.assert(
            fc.asyncProperty(
              fc.integer({ min: 1, max: 2 ** 31 - 1 }),
              fc.integer({ min: 1, max: 4 }),
              fc.nat({ max: 5000 }),
              fc.constantFrom(...KOMMUNER),
              async (seed, count, startIndex, kommunCode) => {
                const records = kitRecords(seed, count, startIndex, kommunCode);
                const result = await roundTrip(adapter, records, keys, kommunCode);
                compared += result.pairs.filter((p) => p.back).length;
                if (result.problems.length > 0) {
                  throw new Error(
                    `generatePupils({ kommunCode: '${kommunCode}', count: ${count}, seed: ${seed}, startIndex: ${startIndex} }):\n  ${result.problems.join('\n  ')}`,
                  );
                }
              },
            ),
            { numRuns: ROUND_TRIP_RUNS, seed: FC_SEED, endOnFailure: true },
          );
          // A round trip in which nothing comes back would prove nothing.
          expect(compared).toBeGreaterThan(0);
        });

        const algorithms = signingAlgorithms(adapter);
        if (algorithms.length > 0) {
          it.each(algorithms)('brings back what it signs with alg %s, verified', async (alg) => {
            const records = kitRecords(20260302, 3, 70, '1980');
            expectNone(
              (await roundTrip(adapter, records, keys, '1980', { ...defaultOptions(adapter), alg })).problems,
            );
          });
        }

        it('keeps Swedish text (å ä ö Å Ä Ö é, and decomposed å), compared in NFC', async () => {
          expectNone(await swedishTextProblems(adapter, keys));
        });
      });
    }
  },
);
