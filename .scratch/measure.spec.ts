import { generatePupils, generateSchoolUnits } from '../src/seed/pupil-generator';
import { validateLearnerRecord } from '../src/records/learner-record.validator';
it('measures', () => {

  const byStage = new Map<number, number[]>();
  let total = 0, n = 0, bad = 0;
  const t0 = Date.now();
  for (const r of generatePupils({ kommunCode: '1980', count: 1300, seed: 42 })) {
    const size = Buffer.byteLength(JSON.stringify(r));
    total += size; n++;
    const errs = validateLearnerRecord(r);
    if (errs.length) { bad++; if (bad < 4) console.log(r.source.id, errs); }
    const st = n % 13 === 0 ? 12 : (n - 1) % 13;
    byStage.set(st, [...(byStage.get(st) ?? []), size]);
  }
  console.log('avg', total / n, 'bad', bad, 'ms', Date.now() - t0);
  for (const [st, sizes] of byStage) console.log(st, Math.round(sizes.reduce((a, b) => a + b) / sizes.length));
  const one = [...generatePupils({ kommunCode: '1980', count: 1, seed: 42, startIndex: 12 })][0];

});
