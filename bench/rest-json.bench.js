// REST JSON at kommun scale (issue 3): one OneRoster 1.2 REST document of about 200 MB (9,000 pupils with
// grades, portabel's own oneroster-1.2-rest export), imported through the adapter alone in a process with
// the service's heap limit (--max-old-space-size=256). Reports time, items, peak heap and peak RSS.
//   npm run build && node bench/rest-json.bench.js            9,000 pupils
//   BENCH_PUPILS=1000 node bench/rest-json.bench.js            another size
//   node bench/rest-json.bench.js path/to/document.json        an existing document
const { spawnSync } = require('node:child_process');
const { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const N = Number(process.env.BENCH_PUPILS ?? 9000);

async function writeExport(path) {
  const { generatePupils, generateSchoolUnits } = require('../dist/src/seed/pupil-generator');
  const {
    oneRosterRestAdapter,
  } = require('../dist/src/adapters/oneroster-1.2-rest/oneroster-1.2-rest.adapter');
  const units = generateSchoolUnits({ kommunCode: '1980', seed: 2026, count: 40 });
  const records = generatePupils({ kommunCode: '1980', count: N, seed: 2026, schoolUnits: units });
  const ctx = {
    kommunCode: '1980',
    platformId: 'bench',
    options: {},
    now: new Date('2026-09-01T00:00:00Z'),
    loss: () => undefined,
  };
  const out = createWriteStream(path);
  for await (const piece of oneRosterRestAdapter.export(
    (async function* () {
      yield* records;
    })(),
    ctx,
  ))
    if (!out.write(Buffer.from(piece))) await new Promise((resolve) => out.once('drain', resolve));
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

/** Runs in the child: the import alone, memory sampled while it runs. */
async function importOnce(path) {
  const {
    oneRosterRestAdapter,
  } = require('../dist/src/adapters/oneroster-1.2-rest/oneroster-1.2-rest.adapter');
  let peakHeap = 0;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const timer = setInterval(sample, 20);
  const input = {
    open: () => createReadStream(path),
    path,
    size: statSync(path).size,
    fileName: 'kommun.json',
  };
  const ctx = { platformId: 'bench', options: {}, kommunCode: '1980', now: new Date('2026-09-01T00:00:00Z') };
  const counts = { record: 0, rejected: 0, deletion: 0 };
  const t0 = process.hrtime.bigint();
  for await (const item of oneRosterRestAdapter.import(input, ctx, {})) {
    counts[item.kind]++;
    if ((counts.record & 255) === 0) sample();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(timer);
  sample();
  process.stdout.write(
    JSON.stringify({
      seconds,
      counts,
      peakHeapMb: peakHeap / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function main() {
  if (process.argv[2] === '--child') return importOnce(process.argv[3]);
  const dir = mkdtempSync(join(tmpdir(), 'bench-rest-json-'));
  try {
    const path = process.argv[2] ?? join(dir, 'kommun.json');
    if (!process.argv[2]) await writeExport(path);
    const mb = statSync(path).size / 2 ** 20;
    const child = spawnSync(process.execPath, ['--max-old-space-size=256', __filename, '--child', path], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`the import failed:\n${child.stderr}`);
    const r = JSON.parse(child.stdout);
    console.log(`REST JSON document: ${mb.toFixed(0)} MB, ${N} pupils`);
    console.log(
      `import through the adapter (heap limit 256 MB): ${r.seconds.toFixed(1)} s, ${(mb / r.seconds).toFixed(1)} MB/s`,
    );
    console.log(
      `items: ${r.counts.record} records, ${r.counts.rejected} rejected, ${r.counts.deletion} deletions`,
    );
    console.log(`peak heap used ${r.peakHeapMb.toFixed(0)} MB, peak RSS ${r.peakRssMb.toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
