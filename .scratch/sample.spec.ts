import { generatePupils } from '../src/seed/pupil-generator';
it('sample', () => {
  const recs = [...generatePupils({ kommunCode: '0180', count: 13, seed: 7, startIndex: 13 })];
  const r3 = recs[3], r8 = recs[8];
  console.log(JSON.stringify({ assessments: r3.assessments, groups: r3.groups, enrolments: r3.enrolments, attendance: r3.attendance, evidence: r3.evidence, sup: recs.map(r=>r.supportMeasures).filter(Boolean) }, null, 1));
  console.log(JSON.stringify({ groups: r8.groups, grades: r8.grades?.slice(0, 3), enrol: r8.enrolments, guardians: r8.guardians }, null, 1));
});
