// Transfer package benchmark (issue 6): sealing and opening a 100 KB and a 1 MB learner record
// through portabel's code, beside raw jose sign+encrypt and decrypt+verify of the very same bytes
// (same keys, same headers, same algorithms: EdDSA, ECDH-ES on X25519, A256GCM), in the same run,
// interleaved so that both see the same machine state. Target: portabel at least 80% of raw jose.
//   node bench/transfers.bench.js               package functions, and the TransferPackages service
//                                                on the embedded database
//   node bench/transfers.bench.js --no-service  package functions only
// portabel's seal starts from the record object (JSON, SHA-256, manifest check, sign, encrypt); its
// open ends with a checked record object (every check of docs/transfer-package.md, the canonical
// schema included). Raw jose starts from the serialized bytes and ends with verified bytes.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { sealPackage } = require('../dist/src/transfers/package/seal-package');
const { openPackage } = require('../dist/src/transfers/package/open-package');
const { packageDocument } = require('../dist/src/transfers/package/package-format');
const { checkLearnerRecord } = require('../dist/src/records/learner-record.validator');
const { generatePupils } = require('../dist/src/seed/pupil-generator');
const { categoriesIn } = require('../dist/src/consent/categories');
const { fmt, pct } = require('./lib/stats');

const withService = !process.argv.includes('--no-service');
const SIZES = [
  { label: '100 KB', bytes: 100 * 1024, iterations: Number(process.env.BENCH_TRANSFER_ITER_100K ?? 200) },
  { label: '1 MB', bytes: 1024 * 1024, iterations: Number(process.env.BENCH_TRANSFER_ITER_1M ?? 30) },
];
const SENDER = '1980';
const RECEIVER = '0180';

/** A generated pupil grown to about `bytes` of JSON with more of what real records are large by. */
function recordOf(bytes) {
  const [base] = generatePupils({ kommunCode: SENDER, count: 1, seed: 6, startIndex: 4242 });
  const record = structuredClone(base);
  record.assessments = record.assessments ?? [];
  const text =
    'Eleven visar goda kunskaper i att resonera kring samband och drar välgrundade slutsatser. ' +
    'Hon uttrycker sig nyanserat i tal och skrift och tar ansvar för sitt lärande. Nästa steg är att ' +
    'utveckla sina analyser med fler perspektiv och att använda ämnesbegreppen mer precist. ';
  let i = 0;
  while (JSON.stringify(record).length < bytes) {
    const year = 2016 + (i % 10);
    record.assessments.push({
      kind: i % 3 === 0 ? 'IUP' : 'Skriftligt omdöme',
      subjectCode: ['SV', 'MA', 'EN', 'NO', 'SO', 'BI', 'FY', 'KE'][i % 8],
      date: `${year}-${String((i % 12) + 1).padStart(2, '0')}-15`,
      text: text.repeat(1 + (i % 4)),
    });
    i++;
  }
  const { schemaErrors, ruleErrors } = checkLearnerRecord(record);
  if (schemaErrors.length + ruleErrors.length > 0) {
    throw new Error(
      `bench record is not valid: ${JSON.stringify([...schemaErrors, ...ruleErrors].slice(0, 3))}`,
    );
  }
  return record;
}

const input = (record) => {
  const categories = categoriesIn(record);
  return {
    sender: { kommun: SENDER, schoolUnit: '12345678' },
    receiver: { kommun: RECEIVER },
    pupil: { ref: 'bench-pupil' },
    categories,
    legalBasis: Object.fromEntries(categories.map((c) => [c, 'legalObligation'])),
    consentReceipts: [],
    payload: { record, loss: [] },
  };
};

async function keys() {
  const jose = await import('jose');
  const sig = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const enc = await jose.generateKeyPair('ECDH-ES', { crv: 'X25519' });
  const sigPublic = { ...(await jose.exportJWK(sig.publicKey)), kid: 'bench-sig', use: 'sig', alg: 'EdDSA' };
  return { jose, sig, enc, sigPublic };
}

/** Runs a() and b() alternately `n` times after a warm-up; mean milliseconds of each. */
async function interleaved(n, a, b) {
  for (let i = 0; i < Math.min(5, n); i++) (await a(), await b());
  let ta = 0n;
  let tb = 0n;
  for (let i = 0; i < n; i++) {
    let t0 = process.hrtime.bigint();
    await a();
    ta += process.hrtime.bigint() - t0;
    t0 = process.hrtime.bigint();
    await b();
    tb += process.hrtime.bigint() - t0;
  }
  return { a: Number(ta) / 1e6 / n, b: Number(tb) / 1e6 / n };
}

async function packageFunctions(k, size) {
  const { jose, sig, enc, sigPublic } = k;
  const record = recordOf(size.bytes);
  const enc8 = new TextEncoder();
  const sign = (document, typ) =>
    new jose.CompactSign(document)
      .setProtectedHeader({ alg: 'EdDSA', typ, kid: 'bench-sig' })
      .sign(sig.privateKey);
  const encryptTo = { key: enc.publicKey, kid: 'bench-enc', alg: 'ECDH-ES' };
  const sealed = await sealPackage(input(record), { sign, encryptTo });
  // The very bytes portabel signs, for raw jose.
  const document = packageDocument(sealed.manifest, enc8.encode(JSON.stringify(input(record).payload)));
  const jweHeader = {
    alg: 'ECDH-ES',
    enc: 'A256GCM',
    typ: 'transfer-package+jwe',
    cty: 'transfer-package+jws',
    kid: 'bench-enc',
    iss: SENDER,
    aud: RECEIVER,
  };
  const rawSeal = async () => {
    const jws = await sign(document, 'transfer-package+jws');
    return new jose.CompactEncrypt(enc8.encode(jws)).setProtectedHeader(jweHeader).encrypt(enc.publicKey);
  };
  const rawJwe = await rawSeal();
  const rawOpen = async () => {
    const { plaintext } = await jose.compactDecrypt(rawJwe, enc.privateKey, {
      keyManagementAlgorithms: ['ECDH-ES'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return jose.compactVerify(new TextDecoder().decode(plaintext), sigPublic, { algorithms: ['EdDSA'] });
  };
  const ours = {
    seal: () => sealPackage(input(record), { sign, encryptTo }),
    open: () =>
      openPackage(sealed.jwe, {
        decrypt: enc.privateKey,
        verificationKeys: { keys: [sigPublic] },
        expectedReceiver: RECEIVER,
        seenJti: () => false,
      }),
  };
  const seal = await interleaved(size.iterations, ours.seal, rawSeal);
  const open = await interleaved(size.iterations, ours.open, rawOpen);
  return { document: document.length, jwe: sealed.jwe.length, seal, open, rawSeal, rawOpen };
}

/** The same through the TransferPackages service: the kommun's keys from the database, the peer's from the registry. */
async function service(results, iterations) {
  const { createApp } = require('../dist/src/bootstrap');
  const { loadConfig } = require('../dist/src/config/env.schema');
  const { KommunerService } = require('../dist/src/kommuner/kommuner.service');
  const { KeysService } = require('../dist/src/keys/keys.service');
  const { TrustRegistry } = require('../dist/src/trust/trust-registry.service');
  const { TransferPackages } = require('../dist/src/transfers/package/transfer-packages.service');
  const dir = mkdtempSync(join(tmpdir(), 'portabel-bench-transfers-'));
  const running = await createApp(
    loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', JOBS_WORKER: 'off', NODE_ENV: 'test' }),
  );
  try {
    const app = running.app;
    const kommuner = app.get(KommunerService);
    await kommuner.create({ code: SENDER, name: 'Västerås' });
    await kommuner.create({ code: RECEIVER, name: 'Stockholm' });
    const keysService = app.get(KeysService);
    const trust = app.get(TrustRegistry);
    const system = { kind: 'system', subject: 'bench', role: null };
    await trust.put(
      RECEIVER,
      SENDER,
      { name: 'Västerås', baseUrl: 'http://127.0.0.1', jwks: await keysService.publicJwks(SENDER) },
      system,
    );
    await trust.put(
      SENDER,
      RECEIVER,
      { name: 'Stockholm', baseUrl: 'http://127.0.0.1', jwks: await keysService.publicJwks(RECEIVER) },
      system,
    );
    const packages = app.get(TransferPackages);
    const rows = [];
    for (const { size: s, r: raw } of results) {
      const record = recordOf(s.bytes);
      const sealed = await packages.seal(input(record));
      const n = iterations(s);
      // Interleaved with raw jose again: the machine is shared, so only the same moments compare.
      const seal = await interleaved(n, () => packages.seal(input(record)), raw.rawSeal);
      const open = await interleaved(
        n,
        () => packages.open(RECEIVER, sealed.jwe, { isReplay: () => false }),
        raw.rawOpen,
      );
      rows.push({ label: s.label, seal, open });
    }
    return rows;
  } finally {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const k = await keys();
  const lines = [
    '### Transfer packages: seal and open (issue 6)',
    '',
    'Mean time per package; rate ratio = raw jose time / portabel time (100% = as fast as raw jose).',
    '',
    '| record | signed document | JWE | portabel seal | raw jose sign+encrypt | seal ratio | portabel open | raw jose decrypt+verify | open ratio |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const results = [];
  for (const size of SIZES) {
    process.stderr.write(`transfers: ${size.label} × ${size.iterations}\n`);
    const r = await packageFunctions(k, size);
    results.push({ size, r });
    lines.push(
      `| ${size.label} | ${fmt(r.document / 1024)} KiB | ${fmt(r.jwe / 1024)} KiB | ${fmt(r.seal.a, 2)} ms | ${fmt(r.seal.b, 2)} ms | ` +
        `${pct(r.seal.b, r.seal.a)} | ${fmt(r.open.a, 2)} ms | ${fmt(r.open.b, 2)} ms | ${pct(r.open.b, r.open.a)} |`,
    );
  }
  if (withService) {
    process.stderr.write('transfers: through the TransferPackages service (embedded database)\n');
    const rows = await service(results, (s) => Math.max(5, Math.floor(s.iterations / 2)));
    lines.push(
      '',
      'Through the `TransferPackages` service (the sender’s key from the database, sealed under the master key; ' +
        'the receiver’s key from the trust registry; decryption through `KeysService`), embedded database:',
      '',
      '| record | service seal | raw jose sign+encrypt | seal ratio | service open | raw jose decrypt+verify | open ratio |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const row of rows) {
      lines.push(
        `| ${row.label} | ${fmt(row.seal.a, 2)} ms | ${fmt(row.seal.b, 2)} ms | ${pct(row.seal.b, row.seal.a)} | ` +
          `${fmt(row.open.a, 2)} ms | ${fmt(row.open.b, 2)} ms | ${pct(row.open.b, row.open.a)} |`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
})().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
