// The benchmark's data: seeded pupils (about 10 KB of JSON each, as a kommun's platforms send them),
// and the rows portabel stores for them (with provenance filled in), for the raw COPY ceiling.
const { generatePupils, generateSchoolUnits } = require('../../dist/src/seed/pupil-generator');
const { checkRecord, prepareRecord } = require('../../dist/src/records/record-intake');

function seededPupils(kommunCode, count, seed = 2026) {
  const units = generateSchoolUnits({ kommunCode, seed, count: 40 });
  const lines = [];
  for (const pupil of generatePupils({ kommunCode, count, seed, schoolUnits: units }))
    lines.push(JSON.stringify(pupil));
  return { units, lines };
}

function storedRows(lines) {
  const importedAt = new Date().toISOString();
  return lines.map(
    (line) =>
      prepareRecord(checkRecord(JSON.parse(line)), { adapter: 'bench', adapterVersion: '1', importedAt }).row,
  );
}

module.exports = { seededPupils, storedRows };
