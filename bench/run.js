// `npm run bench`: every benchmark, on the PostgreSQL server when one answers (BENCH_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/postgres) and on the embedded database. Results are
// printed as Markdown and kept in bench/results/ (git-ignored); BENCHMARKS.md quotes them.
const { execFileSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const { join } = require('node:path');

const serverAnswers = () =>
  new Promise((resolve) => {
    const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    const socket = net.connect(Number(url.port || 5432), url.hostname);
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

function run(script, args = []) {
  process.stderr.write(`\n## ${script} ${args.join(' ')}\n`);
  return execFileSync(process.execPath, [join(__dirname, script), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

(async () => {
  const machine = `${os.cpus().length} × ${os.cpus()[0].model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const sections = [`# Benchmark run ${new Date().toISOString()}`, '', `Machine: ${machine}`, ''];
  const server = await serverAnswers();
  for (const script of ['records.bench.js', 'imports.bench.js', 'audit.bench.js', 'access.bench.js']) {
    if (server) sections.push(run(script), '');
    else sections.push(`_No PostgreSQL server answered: ${script} server figures skipped._`, '');
    sections.push(run(script, ['--embedded']), '');
  }
  // Transfer packages are CPU-bound (keys in memory); the service part runs on the embedded database.
  sections.push(run('transfers.bench.js'), '');
  // The transfer flow: two instances over HTTP, a class and a closing school, acknowledgements included.
  if (server) sections.push(run('transfer-flow.bench.js'), '');
  sections.push(run('transfer-flow.bench.js', ['--embedded']), '');
  const text = sections.join('\n');
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.md`), text);
  process.stdout.write(`${text}\n`);
})();
