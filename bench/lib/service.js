// Starts the built service (dist/) as its own process, as `npm start` does, and measures it.
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const MASTER_KEY = require('node:crypto').randomBytes(32).toString('base64');
// Exactly as `npm start` runs it (node flags included).
// BENCH_NODE_ARGS adds flags in front, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service.
const START_WORDS = require('../../package.json').scripts.start.split(' ');
/** `NAME=value` words in front of `node` in the start script: the environment it starts with. */
const START_ENV = Object.fromEntries(
  START_WORDS.slice(0, START_WORDS.indexOf('node')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]),
);
const START_ARGS = [
  ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []),
  ...START_WORDS.slice(START_WORDS.indexOf('node') + 1),
];

const freePort = () =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/**
 * The benchmark's own identity provider, trusted through AUTH_ISSUERS_FILE as a kommun's would be
 * (the development one is refused with NODE_ENV=production): a key made here, its public half inline
 * in the issuers file, and tokens for whoever the benchmark signs in as.
 */
async function benchIdentityProvider(dir) {
  const { exportJWK, generateKeyPair, SignJWT } = await import('jose');
  const issuer = 'http://127.0.0.1/bench-idp';
  const audience = 'portabel-bench';
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'EdDSA', use: 'sig' };
  const file = join(dir, 'issuers.json');
  writeFileSync(
    file,
    JSON.stringify([
      {
        issuer,
        audience,
        jwks: { keys: [jwk] },
        kommunClaim: 'kommun',
        allowedRoles: ['operator', 'registrar', 'admin'],
        algorithms: ['EdDSA'],
        types: ['JWT'],
      },
    ]),
  );
  /** Headers that make requests as this person, e.g. `{ roles: ['registrar'], kommun: '1980' }`. */
  const signIn = async ({ roles, kommun }) => {
    const token = await new SignJWT({ roles, ...(kommun ? { kommun } : {}) })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'bench' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(`bench-${roles.join('-')}-${kommun ?? 'installation'}`)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('6h')
      .sign(privateKey);
    return { authorization: `Bearer ${token}` };
  };
  return { file, signIn };
}

/**
 * Production-like: NODE_ENV=production, info-level request logs written (to /dev/null, so the cost of
 * logging is in the figures but the output is not), every request with a person's bearer token.
 * Returns the service and `signIn(person)` → headers for its requests. `nodeFlags` go before the
 * script (BENCH_CPU_PROF=DIR in bench/access.bench.js passes `--cpu-prof`).
 */
async function startService(env, { nodeFlags = [], readySeconds = 60 } = {}) {
  const port = await freePort();
  const idpDir = mkdtempSync(join(tmpdir(), 'portabel-bench-idp-'));
  const idp = await benchIdentityProvider(idpDir);
  // nodeFlags: e.g. ['--cpu-prof', '--cpu-prof-dir=DIR'] to see where the service spends its time.
  const child = spawn(process.execPath, [...nodeFlags, ...START_ARGS], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      // Production refuses to start on a server without a master key for the kommuner's keys.
      MASTER_KEY: process.env.MASTER_KEY ?? MASTER_KEY,
      AUTH_ISSUERS_FILE: idp.file,
      // One benchmark person makes every request: the per-person limit (600/min) would measure 429s.
      RATE_LIMIT_PERSON: '1000000000',
      ...START_ENV,
      ...env,
    },
    // BENCH_SERVICE_STDOUT=FILE keeps the service's output (with --trace-gc, say); by default it goes nowhere.
    stdio: ['ignore', process.env.BENCH_SERVICE_STDOUT ? openSync(process.env.BENCH_SERVICE_STDOUT, 'w') : 'ignore', 'inherit'],
  });
  // Read once at start: the issuers file can go as soon as the service is up (or has failed to start).
  child.once('exit', () => rmSync(idpDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readySeconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) return { child, url, signIn: idp.signIn };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become ready within ${readySeconds} s`);
}

/** Peak resident set size (VmHWM) of a process, in MB. */
function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

/** Starts a new peak (VmHWM) measurement; false where the kernel does not allow it. */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Current resident set size (VmRSS) of a process, in MB. */
function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

/** CPU time (user + system) a process has used so far, in seconds (/proc/PID/stat, 100 ticks/s). */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone meanwhile
  }
}

/**
 * CPU seconds used so far by every process named `postgres` on the machine (the local server's
 * backends, its writer and WAL writer): measured before and after a phase, the server's share of it.
 */
function postgresCpuSeconds() {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') sum += cpuSeconds(entry);
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

function stopService(service) {
  return new Promise((resolve) => {
    if (service.child.exitCode !== null) return resolve();
    service.child.once('exit', resolve);
    service.child.kill('SIGTERM');
  });
}

module.exports = { startService, stopService, peakRssMb, rssMb, resetPeak, cpuSeconds, postgresCpuSeconds, ROOT };
