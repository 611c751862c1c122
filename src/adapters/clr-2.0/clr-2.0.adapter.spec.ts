import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { base64url, compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { luhnCheckDigit } from '../../records/civic-number';
import { canonicalJson } from '../../records/record-content';
import type { LearnerRecord } from '../../records/learner-record.types';
import { validateLearnerRecord } from '../../records/learner-record.validator';
import { generatePupils } from '../../seed/pupil-generator';
import { AdapterInputError } from '../adapter-input.errors';
import type {
  AdapterInput,
  CredentialVerifier,
  ExportContext,
  ImportContext,
  ImportItem,
  ImportServices,
  KommunSigner,
  LossEntry,
} from '../vendor-adapter.port';
import { clrAdapter } from './clr-2.0.adapter';
import { SAMPLES as SAMPLES_ROOT } from '../../../test/helpers/samples';

const SAMPLES = join(SAMPLES_ROOT, 'clr-ob3');
const FIXTURES = join(__dirname, 'fixtures');
const NOW = new Date('2026-08-20T09:30:00.123Z');
const ISSUER = 'https://portabel.test/kommuner/1980';

type Alg = 'RS256' | 'EdDSA';

/** A real signer over jose keys, standing in for the keys module's KommunSigner. */
async function makeKeys(alg: Alg): Promise<{ signer: KommunSigner; verifier: CredentialVerifier }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${ISSUER}/.well-known/jwks.json#${alg.toLowerCase()}`;
  const signer: KommunSigner = {
    issuer: ISSUER,
    keyId: () => Promise.resolve(kid),
    signJwt: (payload, header) =>
      new SignJWT(payload)
        .setProtectedHeader({ alg: header.alg ?? alg, typ: header.typ, kid })
        .sign(privateKey),
  };
  const verifier: CredentialVerifier = {
    verifyJwt: async (jwt) => {
      if (decodeProtectedHeader(jwt).kid !== kid)
        return { status: 'unverified', method: alg, detail: 'unknown kid' };
      try {
        const { payload } = await compactVerify(jwt, publicKey, { algorithms: [alg] });
        return {
          status: 'verified',
          method: `${alg} (kid)`,
          payload: JSON.parse(Buffer.from(payload).toString()),
        };
      } catch {
        return { status: 'failed', method: `${alg} (kid)`, detail: 'bad signature' };
      }
    },
  };
  return { signer, verifier };
}

function bufferInput(bytes: Buffer | string, fileName = 'input.jwt'): AdapterInput {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  // Small chunks, so line splitting across chunk boundaries is exercised too.
  const chunks = Array.from({ length: Math.ceil(buffer.length / 4096) }, (_, i) =>
    buffer.subarray(i * 4096, (i + 1) * 4096),
  );
  return { open: () => Readable.from(chunks), path: '', size: buffer.length, fileName };
}

function fileInput(path: string): AdapterInput {
  return { open: () => createReadStream(path), path, size: statSync(path).size, fileName: basename(path) };
}

const importCtx = (options: Record<string, unknown> = {}): ImportContext => ({
  platformId: 'wallet',
  kommunCode: '1980',
  now: NOW,
  options,
});

async function importAll(
  input: AdapterInput,
  options: Record<string, unknown> = {},
  services: ImportServices = {},
): Promise<ImportItem[]> {
  const items: ImportItem[] = [];
  for await (const item of clrAdapter.import!(input, importCtx(options), services)) items.push(item);
  return items;
}

function records(items: ImportItem[]): Extract<ImportItem, { kind: 'record' }>[] {
  return items.filter((i): i is Extract<ImportItem, { kind: 'record' }> => i.kind === 'record');
}

async function exportAll(
  input: LearnerRecord[],
  signer: KommunSigner,
  options: Record<string, unknown> = {},
): Promise<{ text: string; loss: LossEntry[][] }> {
  const loss: LossEntry[][] = [];
  let current: LossEntry[] = [];
  // Pulled one at a time, so the loss entries reported in between belong to the record just pulled.
  let next = 0;
  const feed = (): AsyncIterable<LearnerRecord> => ({
    [Symbol.asyncIterator]: () => ({
      next: () => {
        if (next >= input.length) return Promise.resolve({ done: true, value: undefined });
        current = [];
        loss.push(current);
        return Promise.resolve({ done: false, value: input[next++] });
      },
    }),
  });
  const ctx: ExportContext = {
    platformId: 'wallet',
    kommunCode: '1980',
    now: NOW,
    options,
    signer,
    loss: (e) => current.push(e),
  };
  let text = '';
  for await (const chunk of clrAdapter.export!(feed(), ctx)) text += chunk.toString();
  return { text, loss };
}

const decode = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

/** Flips one character in the middle of the payload segment. */
function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.');
  const i = Math.floor(p.length / 2);
  return [h, p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1), s].join('.');
}

const seedPupils = (count: number, seed = 7): LearnerRecord[] =>
  [...generatePupils({ kommunCode: '1980', count, seed, startIndex: 100 })].map((r) => ({
    ...r,
    source: { ...r.source, platform: 'wallet' },
  }));

describe('clr-2.0 import of the published samples', () => {
  const sample = readFileSync(join(SAMPLES, 'clr20-simple.jwt'), 'utf8');

  it('verifies clr20-simple.jwt and every credential inside it with the embedded jwk', async () => {
    const items = await importAll(fileInput(join(SAMPLES, 'clr20-simple.jwt')));
    expect(items).toHaveLength(1);
    const [{ record, loss }] = records(items);
    expect(validateLearnerRecord(record)).toEqual([]);
    expect(record.source).toEqual({ platform: 'wallet', id: 'did:example:ebfeb1f712ebc6f1c276e12ec21' });
    expect(record.pupil).toMatchObject({ givenName: 'Okänd', familyName: 'Okänd', securityMarking: 'Ingen' });
    const nested = (decode(sample).vc as { credentialSubject: { verifiableCredential: string[] } })
      .credentialSubject.verifiableCredential[0];
    const method = 'VC-JWT RS256, key embedded in the header (jwk)';
    const provenance = (sourceId: string) => ({
      sourcePlatform: 'wallet',
      sourceId,
      adapter: 'clr-2.0',
      adapterVersion: '1.0.0',
      importedAt: NOW.toISOString(),
    });
    const verification = {
      status: 'verified',
      method,
      checkedAt: NOW.toISOString(),
      detail: 'signature valid for the key in the header; that key is not bound to the issuer by a kid',
    };
    expect(record.achievements).toEqual([
      {
        format: 'vc-jwt',
        credential: sample.trim(),
        issuer: 'Example University',
        name: 'Sample Transcript',
        verification,
        provenance: provenance('http://example.edu/credentials/3732'),
      },
      {
        format: 'vc-jwt',
        credential: nested,
        issuer: 'Example University',
        name: 'Example University Degree',
        verification,
        provenance: provenance('urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002'),
      },
    ]);
    expect(loss.map((e) => [e.kind, e.target?.pointer])).toEqual([
      ['defaulted', '/pupil/givenName'],
      ['defaulted', '/pupil/familyName'],
      ['defaulted', '/pupil/securityMarking'],
    ]);
  });

  it('marks a copy with one character of the payload flipped as failed', async () => {
    const tampered = tamper(sample.trim());
    expect(tampered).not.toBe(sample.trim());
    const items = await importAll(bufferInput(tampered), { pupilSourceId: 'elev-1' });
    const [{ record }] = records(items);
    expect(record.source.id).toBe('elev-1');
    expect(record.achievements?.[0]).toMatchObject({
      format: 'vc-jwt',
      credential: tampered,
      verification: { status: 'failed', detail: 'the signature does not match the header and payload' },
    });
    expect(validateLearnerRecord(record)).toEqual([]);
  });

  it('fails a copy whose last payload character is flipped, and rejects it without pupilSourceId when unreadable', async () => {
    const [h, p, s] = sample.trim().split('.');
    const flipped = [h, p.slice(0, -1) + (p.endsWith('Q') ? 'R' : 'Q'), s].join('.');
    const [{ record }] = records(await importAll(bufferInput(flipped), { pupilSourceId: 'elev-1' }));
    expect(record.achievements?.[0].verification?.status).toBe('failed');

    const garbled = [h, 'e30' + p.slice(3, 40), s].join('.');
    const items = await importAll(bufferInput(garbled));
    expect(items).toEqual([
      {
        kind: 'rejected',
        source: { line: 1, pointer: '' },
        errors: [
          {
            line: 1,
            pointer: '',
            detail:
              'the credential cannot be read, so it cannot say whose it is; give the option pupilSourceId',
          },
        ],
      },
    ]);
  });

  it.each([
    ['ob30-simple.json', 'DataIntegrityProof eddsa-rdfc-2022', 'Teamwork Badge', 'Example Corp'],
    [
      'dcc-v2-eddsa-rdfc-2022-OBSpecExample.json',
      'DataIntegrityProof eddsa-rdfc-2022',
      'Teamwork Badge',
      'Example Corp',
    ],
    [
      'dcc-v2-ed25519-didkey-legacy-noStatus-noExpiry.json',
      'Ed25519Signature2020',
      'Teamwork Badge',
      'Example Corp',
    ],
    [
      'dcc-v2-ed25519-didkey-legacy-noStatus-noExpiry-tampered.json',
      'Ed25519Signature2020',
      'Teamwork Badge',
      'Example Corp',
    ],
  ])(
    'keeps %s as received and unverified (Data Integrity needs RDF canonicalisation)',
    async (file, method, name, issuer) => {
      const raw: unknown = JSON.parse(readFileSync(join(SAMPLES, file), 'utf8'));
      const [{ record }] = records(await importAll(fileInput(join(SAMPLES, file))));
      expect(validateLearnerRecord(record)).toEqual([]);
      expect(record.source.id).toBe('did:example:ebfeb1f712ebc6f1c276e12ec21');
      expect(record.achievements).toHaveLength(1);
      const [achievement] = record.achievements!;
      expect(achievement).toMatchObject({ format: 'vc-json', credential: raw, name, issuer });
      expect(achievement.verification).toEqual({
        status: 'unverified',
        method,
        checkedAt: NOW.toISOString(),
        detail:
          'a Data Integrity proof signs the RDF canonical form (RDFC-1.0) of the JSON-LD document, which this import cannot compute; the proof was not checked',
      });
    },
  );
});

describe('clr-2.0 export', () => {
  it.each<Alg>(['RS256', 'EdDSA'])(
    'signs one ClrCredential per pupil with %s, each grade a signed AchievementCredential',
    async (alg) => {
      const { signer, verifier } = await makeKeys(alg);
      const pupils = seedPupils(6).filter((r) => (r.grades?.length ?? 0) > 0);
      expect(pupils.length).toBeGreaterThan(1);
      const { text } = await exportAll(pupils, signer, { alg });
      const lines = text.split('\n');
      expect(lines).toHaveLength(pupils.length);
      expect(text.endsWith('\n')).toBe(false);

      for (const [n, jwt] of lines.entries()) {
        const record = pupils[n];
        expect(decodeProtectedHeader(jwt)).toEqual({ alg, typ: 'JWT', kid: await signer.keyId(alg) });
        expect((await verifier.verifyJwt(jwt)).status).toBe('verified');
        const clr = decode(jwt);
        expect(clr).toMatchObject({
          '@context': [
            'https://www.w3.org/ns/credentials/v2',
            'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json',
            'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
          ],
          type: ['VerifiableCredential', 'ClrCredential'],
          issuer: { id: ISSUER, type: ['Profile'] },
          validFrom: '2026-08-20T09:30:00Z',
          iss: ISSUER,
          nbf: Math.floor(Date.parse('2026-08-20T09:30:00Z') / 1000),
        });
        expect(clr.jti).toBe(clr.id);
        const subject = clr.credentialSubject as {
          id: string;
          identifier: Record<string, unknown>[];
          verifiableCredential: string[];
        };
        expect(clr.sub).toBe(subject.id);
        expect(subject.identifier[0]).toEqual({
          type: 'IdentityObject',
          identityType: 'sourcedId',
          hashed: false,
          identityHash: record.source.id,
        });
        if (record.pupil.civicNo) {
          const hashed = subject.identifier.find((i) => i.identityType === 'nationalIdentityNumber')!;
          const digest = createHash('sha256')
            .update(record.pupil.civicNo.value + String(hashed.salt))
            .digest('hex');
          expect(hashed).toMatchObject({ hashed: true, identityHash: `sha256$${digest}` });
          // Never in clear: not in the CLR, not in any credential inside it.
          expect(JSON.stringify(clr)).not.toContain(record.pupil.civicNo.value);
          for (const inner of subject.verifiableCredential)
            expect(JSON.stringify(decode(inner))).not.toContain(record.pupil.civicNo.value);
        }
        expect(subject.verifiableCredential).toHaveLength(record.grades!.length);
        for (const [i, inner] of subject.verifiableCredential.entries()) {
          const grade = record.grades![i];
          expect((await verifier.verifyJwt(inner)).status).toBe('verified');
          const vc = decode(inner);
          expect(vc).toMatchObject({
            type: ['VerifiableCredential', 'AchievementCredential'],
            validFrom: `${grade.registeredDate}T00:00:00Z`,
            nbf: Date.parse(`${grade.registeredDate}T00:00:00Z`) / 1000,
            credentialSubject: {
              id: subject.id,
              achievement: {
                humanCode: grade.courseCode ?? grade.subjectCode,
                fieldOfStudy: grade.subjectCode,
              },
              result: [{ type: ['Result'], value: grade.value }],
            },
          });
        }
      }
    },
  );

  it('is byte-identical for the same records and signer', async () => {
    for (const alg of ['RS256', 'EdDSA'] as const) {
      const { signer } = await makeKeys(alg);
      const pupils = seedPupils(4);
      const a = await exportAll(pupils, signer, { alg });
      const b = await exportAll(pupils, signer, { alg });
      expect(b.text).toBe(a.text);
      expect(b.loss).toEqual(a.loss);
    }
  });

  it('reports what a CLR cannot carry, and writes nothing for a pupil with nothing to certify', async () => {
    const { signer } = await makeKeys('RS256');
    const [record] = seedPupils(1);
    const bare: LearnerRecord = { ...record, grades: undefined, achievements: undefined };
    const { text, loss } = await exportAll([bare], signer);
    expect(text).toBe('');
    expect(loss[0].find((e) => e.source.pointer === '')).toEqual({
      kind: 'dropped',
      source: { pointer: '' },
      detail: 'no grades and no verifiable credentials: a CLR must hold at least one, so none is written',
    });
  });

  it('carries credentials the pupil holds as received, and drops Open Badges 2.0 assertions', async () => {
    const { signer, verifier } = await makeKeys('EdDSA');
    const sample = readFileSync(join(SAMPLES, 'clr20-simple.jwt'), 'utf8').trim();
    const badge = JSON.parse(readFileSync(join(SAMPLES, 'ob30-simple.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const [record] = seedPupils(1);
    const holder: LearnerRecord = {
      ...record,
      grades: undefined,
      achievements: [
        { format: 'ob2', credential: { type: 'Assertion' } },
        { format: 'vc-jwt', credential: sample },
        { format: 'vc-json', credential: badge },
      ],
    };
    const { text, loss } = await exportAll([holder], signer, { alg: 'EdDSA' });
    expect(
      (decode(text).credentialSubject as { verifiableCredential: unknown[] }).verifiableCredential,
    ).toEqual([sample, badge]);
    expect(loss[0]).toContainEqual({
      kind: 'dropped',
      source: { pointer: '/achievements/0' },
      detail: 'an Open Badges 2.0 assertion is not a verifiable credential, and a CLR 2.0 holds only those',
    });
    const [{ record: back }] = records(await importAll(bufferInput(text), {}, { verifier }));
    expect(back.achievements?.map((a) => [a.format, a.verification?.status])).toEqual([
      ['vc-jwt', 'verified'],
      ['vc-jwt', 'verified'],
      ['vc-json', 'unverified'],
    ]);
  });

  it('round-trips: what comes back differs from the original only where the loss reports say', async () => {
    const { signer, verifier } = await makeKeys('RS256');
    const pupils = seedPupils(12);
    const { text, loss } = await exportAll(pupils, signer);
    const items = await importAll(bufferInput(text), {}, { verifier });
    const back = new Map(records(items).map((item) => [item.record.source.id, item]));
    let compared = 0;
    for (const [n, original] of pupils.entries()) {
      const exportPointers = loss[n].map((e) => e.source.pointer ?? '');
      if (exportPointers.includes('')) {
        expect(back.has(original.source.id)).toBe(false);
        continue;
      }
      const item = back.get(original.source.id)!;
      expect(validateLearnerRecord(item.record)).toEqual([]);
      const importPointers = item.loss
        .filter((e) => e.kind === 'defaulted' || e.kind === 'approximated')
        .map((e) => e.target!.pointer!);
      // A pointer names the same place in both records unless it passes through an array index: items
      // may be renumbered (dropped ones are gone), so those apply only to the record they were made for.
      const shared = (pointers: string[]): string[] => pointers.filter((p) => !/\/[0-9]+(\/|$)/.test(p));
      expect(comparable(item.record, [...importPointers, ...shared(exportPointers)])).toEqual(
        comparable(original, [...exportPointers, ...shared(importPointers)]),
      );
      expect(item.record.achievements!.every((a) => a.verification?.status === 'verified')).toBe(true);
      // A CLR over the canonical record's limit for one stored credential is reported, not kept whole.
      const jwt = text
        .split('\n')
        .find(
          (line) =>
            (decode(line).credentialSubject as { identifier: { identityHash: string }[] }).identifier[0]
              .identityHash === original.source.id,
        )!;
      const keptWhole = jwt.length <= 100_000;
      expect(item.record.achievements).toHaveLength((keptWhole ? 1 : 0) + (original.grades?.length ?? 0));
      if (!keptWhole) {
        expect(item.loss).toContainEqual({
          kind: 'dropped',
          source: item.source,
          detail: `a credential of ${jwt.length} characters is larger than a stored one may be (100000); its proof (RS256 (kid)) was verified`,
        });
      }
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  });

  it('refuses to export without the kommun signer', async () => {
    const ctx: ExportContext = {
      platformId: 'w',
      kommunCode: '1980',
      now: NOW,
      options: {},
      loss: () => undefined,
    };
    const run = async (): Promise<void> => {
      for await (const chunk of clrAdapter.export!(Readable.from(seedPupils(1)), ctx)) void chunk;
    };
    await expect(run()).rejects.toThrow('needs the kommun signer');
  });
});

/**
 * The record without the places the loss reports name (in either record: both are canonical, so a
 * pointer names the same place in each) and without provenance; arrays sorted by canonical JSON, and
 * emptied arrays gone.
 */
function comparable(record: LearnerRecord, pointers: string[]): unknown {
  const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  for (const pointer of pointers) markPointer(copy, pointer);
  return normalise(copy);
}

const NAMED = Symbol('named in a loss report');

function markPointer(doc: Record<string, unknown>, pointer: string): void {
  const parts = pointer.split('/').slice(1);
  let node: unknown = doc;
  for (const part of parts.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[part];
  const last = parts[parts.length - 1];
  if (node && typeof node === 'object' && last in node)
    (node as Record<string | symbol, unknown>)[last] = NAMED;
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((v) => v !== NAMED)
      .map(normalise)
      .sort((a, b) => canonicalJson(a).localeCompare(canonicalJson(b)));
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'provenance' || v === NAMED) continue;
      const n = normalise(v);
      if (!(Array.isArray(n) && n.length === 0)) out[k] = n;
    }
    return out;
  }
  return value;
}

describe('clr-2.0 verification rules', () => {
  const credential = {
    '@context': [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ],
    id: 'urn:uuid:0e8ed4bb-1a0f-4a3a-9b8e-5b3e3c1f1a11',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: { id: 'https://badges.example', type: ['Profile'], name: 'Badges' },
    validFrom: '2025-05-01T00:00:00Z',
    name: 'Simhopp',
    credentialSubject: {
      id: 'did:example:elev',
      type: ['AchievementSubject'],
      achievement: { id: 'urn:x:1', type: ['Achievement'], name: 'Simhopp' },
    },
  };
  const claims = {
    ...credential,
    iss: 'https://badges.example',
    jti: credential.id,
    sub: 'did:example:elev',
    nbf: Date.parse('2025-05-01T00:00:00Z') / 1000,
  };

  async function signedWithJwk(
    payload: Record<string, unknown>,
    header: Record<string, unknown> = {},
  ): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', jwk: await exportJWK(publicKey), ...header })
      .sign(privateKey);
  }

  async function statusOf(jwt: string, services: ImportServices = {}): Promise<unknown> {
    const [{ record }] = records(await importAll(bufferInput(jwt), { pupilSourceId: 'elev-9' }, services));
    return record.achievements?.[0].verification;
  }

  it('verifies an ES256 credential with an embedded key, and a VCDM 1.1 vc claim', async () => {
    expect(await statusOf(await signedWithJwk(claims))).toMatchObject({ status: 'verified' });
    const { iss, jti, sub, nbf } = claims;
    expect(await statusOf(await signedWithJwk({ vc: credential, iss, jti, sub, nbf }))).toMatchObject({
      status: 'verified',
    });
  });

  it('refuses alg none and HMAC, whatever the payload says', async () => {
    const enc = (o: unknown): string => base64url.encode(JSON.stringify(o));
    const none = `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.AAAA`;
    expect(await statusOf(none)).toMatchObject({
      status: 'failed',
      detail: 'algorithm none is not allowed (only RS256, ES256, EdDSA)',
    });
    const secret = new TextEncoder().encode('a-shared-secret-of-32-bytes-long!');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
    expect(await statusOf(hs)).toMatchObject({
      status: 'failed',
      detail: 'algorithm HS256 is not allowed (only RS256, ES256, EdDSA)',
    });
  });

  it('refuses another typ, a private key in the header, and a header with no key at all', async () => {
    expect(await statusOf(await signedWithJwk(claims, { typ: 'at+jwt' }))).toMatchObject({
      status: 'failed',
      detail: "typ at+jwt is not a credential's (expected JWT or vc+jwt)",
    });
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const leaky = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', jwk: await exportJWK(privateKey) })
      .sign(privateKey);
    expect(await statusOf(leaky)).toMatchObject({
      status: 'failed',
      detail: 'the embedded jwk holds private or symmetric key material',
    });
    const bare = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
    expect(await statusOf(bare)).toMatchObject({
      status: 'failed',
      detail: 'the header has neither kid nor jwk, so no key can be found (OB 3.0 §8.2.2)',
    });
  });

  it('fails a valid signature over claims that contradict the credential, or a credential not yet valid or expired', async () => {
    expect(await statusOf(await signedWithJwk({ ...claims, iss: 'https://other.example' }))).toMatchObject({
      status: 'failed',
      detail: 'iss https://other.example does not match the issuer https://badges.example',
    });
    expect(await statusOf(await signedWithJwk({ ...claims, nbf: claims.nbf + 1 }))).toMatchObject({
      status: 'failed',
      detail: 'nbf does not match validFrom (issuanceDate)',
    });
    const future = {
      ...claims,
      validFrom: '2030-01-01T00:00:00Z',
      nbf: Date.parse('2030-01-01T00:00:00Z') / 1000,
    };
    expect(await statusOf(await signedWithJwk(future))).toMatchObject({
      status: 'failed',
      detail: 'the credential is not valid yet (nbf is in the future)',
    });
    expect(
      await statusOf(await signedWithJwk({ ...claims, exp: Date.parse('2026-01-01T00:00:00Z') / 1000 })),
    ).toMatchObject({ status: 'failed', detail: 'the credential has expired (exp)' });
  });

  it('leaves a kid-only credential unverified without a verifier, and asks the verifier when there is one', async () => {
    const { signer, verifier } = await makeKeys('RS256');
    const jwt = await signer.signJwt({ ...claims }, { typ: 'JWT' });
    expect(await statusOf(jwt)).toMatchObject({ status: 'unverified' });
    expect(await statusOf(jwt, { verifier })).toMatchObject({ status: 'verified', method: 'RS256 (kid)' });
    expect(await statusOf(tamper(jwt), { verifier })).toMatchObject({ status: 'failed' });
  });

  it('reads credentials wrapped as EnvelopedVerifiableCredential inside a JSON CLR', async () => {
    const inner = await signedWithJwk(claims);
    const clr = {
      '@context': credential['@context'],
      type: ['VerifiableCredential', 'ClrCredential'],
      issuer: 'https://school.example',
      validFrom: '2025-06-01T00:00:00Z',
      name: 'Transcript',
      credentialSubject: {
        type: ['ClrSubject'],
        identifier: [
          { type: 'IdentityObject', identityType: 'sourcedId', hashed: false, identityHash: 'p-77' },
        ],
        verifiableCredential: [
          {
            '@context': 'https://www.w3.org/ns/credentials/v2',
            type: 'EnvelopedVerifiableCredential',
            id: `data:application/vc+jwt,${inner}`,
          },
          42,
        ],
      },
    };
    const [{ record, loss }] = records(await importAll(bufferInput(JSON.stringify(clr), 'clr.json')));
    expect(record.source.id).toBe('p-77');
    expect(record.achievements?.map((a) => [a.format, a.name, a.verification?.status])).toEqual([
      ['vc-json', 'Transcript', 'unverified'],
      ['vc-jwt', 'Simhopp', 'verified'],
    ]);
    expect(loss).toContainEqual({
      kind: 'dropped',
      source: { pointer: '/credentialSubject/verifiableCredential/1' },
      detail: 'neither a VC-JWT nor a credential object',
    });
  });

  it('checks a hashed civic number against pupilCivicNo', async () => {
    const { signer } = await makeKeys('RS256');
    const [record] = seedPupils(8).filter((r) => r.pupil.civicNo && r.grades);
    const { text } = await exportAll([record], signer);
    const civicNo = record.pupil.civicNo!.value;
    const [{ record: back }] = records(await importAll(bufferInput(text), { pupilCivicNo: civicNo }));
    expect(back.pupil.civicNo).toEqual({ value: civicNo, nationality: 'SE' });
    expect(back.pupil.givenName).toBe(
      [record.pupil.givenName, record.pupil.middleName].filter(Boolean).join(' '),
    );
    expect(back.pupil.familyName).toBe(record.pupil.familyName);

    const otherPayload = civicNo === '201001012380' ? '100101239' : '100101238';
    const other = `20${otherPayload}${luhnCheckDigit(otherPayload)}`;
    const items = await importAll(bufferInput(text), { pupilCivicNo: other });
    expect(items).toEqual([
      {
        kind: 'rejected',
        source: { line: 1, pointer: '/credentialSubject/identifier/2' },
        errors: [
          {
            line: 1,
            pointer: '/credentialSubject/identifier/2',
            detail: 'is the hash of another civic number than pupilCivicNo',
          },
        ],
      },
    ]);
  });
});

describe('clr-2.0 input', () => {
  const sample = readFileSync(join(SAMPLES, 'clr20-simple.jwt'), 'utf8').trim();

  it('refuses an empty file, a file that is not VC-JWTs, and JSON that is not a credential, saying where', async () => {
    await expect(importAll(bufferInput(' \n'))).rejects.toMatchObject({
      code: 'CLR.EMPTY',
      errors: [{ file: 'input.jwt', line: 1, column: 1, detail: 'no credential' }],
    });
    await expect(importAll(bufferInput('hello, world\n'))).rejects.toMatchObject({
      code: 'CLR.NOT_A_CREDENTIAL',
      errors: [{ file: 'input.jwt', line: 1, detail: 'is not a compact JWS (VC-JWT)' }],
    });
    await expect(importAll(bufferInput('{"a": 1}', 'vc.json'))).rejects.toMatchObject({
      code: 'CLR.NOT_A_CREDENTIAL',
      errors: [{ file: 'vc.json', pointer: '/type' }],
    });
    await expect(
      importAll(bufferInput('\ufeff{"type": ["VerifiableCredential"', 'vc.json')),
    ).rejects.toMatchObject({
      code: 'CLR.INVALID_JSON',
      errors: [{ file: 'vc.json', line: 1, column: 33 }],
    });
    await expect(
      importAll(bufferInput('{\n  "type": ["VerifiableCredential"],\n  "name": ', 'vc.json')),
    ).rejects.toMatchObject({ code: 'CLR.INVALID_JSON', errors: [{ file: 'vc.json', line: 3 }] });
    await expect(
      importAll(
        bufferInput(Buffer.from('{"type":"VerifiableCredential","name":"\xe5"}', 'latin1'), 'vc.json'),
      ),
    ).rejects.toMatchObject({ code: 'CLR.INVALID_UTF8', errors: [{ file: 'vc.json', line: 1, column: 40 }] });
  });

  it('reads UTF-8 Swedish names and texts of an OB 3.0 credential without a proof (fixture ob30-swedish.json)', async () => {
    const path = join(FIXTURES, 'ok/ob30-swedish.json');
    const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const [item, ...rest] = await importAll(fileInput(path));
    expect(rest).toEqual([]);
    if (item.kind !== 'record') throw new Error(`expected a record, got ${item.kind}`);
    const { record } = item;
    expect(validateLearnerRecord(record)).toEqual([]);
    expect(record.source).toEqual({ platform: 'wallet', id: 'did:example:4f1a9c2e7b3d5a8f0e6c1b2a' });
    expect(record.pupil).toMatchObject({ givenName: 'Åsa Björk', familyName: 'Öhrström' });
    expect(record.achievements).toEqual([
      {
        format: 'vc-json',
        credential: raw,
        issuer: 'Ängby skola, Göteborgs Stad',
        name: 'Samarbete i grupp',
        verification: {
          status: 'unverified',
          method: 'none',
          checkedAt: NOW.toISOString(),
          detail: 'the credential has no proof: nothing says who issued it',
        },
        provenance: {
          sourcePlatform: 'wallet',
          sourceId: 'http://example.com/credentials/3528',
          adapter: 'clr-2.0',
          adapterVersion: clrAdapter.version,
          importedAt: NOW.toISOString(),
        },
      },
    ]);
    expect(item.loss.map((l) => [l.kind, l.target?.pointer])).toEqual([
      ['approximated', '/pupil/givenName'],
      ['approximated', '/pupil/familyName'],
      ['defaulted', '/pupil/securityMarking'],
    ]);
  });

  it('reads a BOM and CRLF lines, rejects a bad later line and a duplicate pupil, and goes on', async () => {
    const text = `\ufeff${sample}\r\nnot a jwt\r\n${sample}\r\n`;
    const items = await importAll(bufferInput(text));
    expect(items.map((i) => i.kind)).toEqual(['record', 'rejected', 'rejected']);
    expect(items[1]).toEqual({
      kind: 'rejected',
      source: { line: 2 },
      errors: [{ line: 2, detail: 'is not a compact JWS (VC-JWT)' }],
    });
    expect(items[2]).toMatchObject({
      kind: 'rejected',
      errors: [{ line: 3, detail: 'the same pupil as line 1: one credential per pupil' }],
    });
  });

  it('rejects a 10 MB line without holding it, and refuses pupilSourceId for several credentials', async () => {
    const huge = `${sample}\n${'eyJ'.padEnd(10 * 1024 * 1024, 'A')}.e30.AAAA\n`;
    const items = await importAll(bufferInput(huge));
    expect(items[1]).toEqual({
      kind: 'rejected',
      source: { line: 2 },
      errors: [{ line: 2, detail: 'the line is longer than 8388608 bytes' }],
    });
    await expect(
      importAll(bufferInput(`${sample}\n${sample}`), { pupilSourceId: 'x' }),
    ).rejects.toBeInstanceOf(AdapterInputError);
  });

  it('sniffs VC-JWTs and OB 3.0 JSON, and not other JSON', () => {
    expect(clrAdapter.sniff!(Buffer.from(sample), 'a.jwt')).toBe(1);
    expect(clrAdapter.sniff!(readFileSync(join(SAMPLES, 'ob30-simple.json')))).toBe(0.9);
    expect(clrAdapter.sniff!(Buffer.from('{"actor": {}, "verb": {}}'))).toBe(0);
    expect(clrAdapter.sniff!(Buffer.from('id,name\n1,2'))).toBe(0);
  });
});

describe('clr-2.0 fixtures', () => {
  for (const kind of ['ok', 'not-ok'] as const) {
    const dir = join(FIXTURES, kind);
    for (const file of readdirSync(dir).filter((f) => !f.endsWith('.expect.json'))) {
      const expected = JSON.parse(
        readFileSync(join(dir, file.replace(/\.[^.]+$/, '.expect.json')), 'utf8'),
      ) as Record<string, unknown>;
      it(`${kind}/${file} gives ${JSON.stringify(expected)}`, async () => {
        const run = importAll(fileInput(join(dir, file)));
        if (typeof expected.code === 'string') {
          await expect(run).rejects.toMatchObject({ code: expected.code });
          const error = (await run.catch((e: unknown) => e)) as AdapterInputError;
          for (const want of (expected.errors as object[] | undefined) ?? [])
            expect(error.errors).toContainEqual(expect.objectContaining(want));
          return;
        }
        const items = await run;
        for (const item of records(items)) expect(validateLearnerRecord(item.record)).toEqual([]);
        const rejected = items.filter((i) => i.kind === 'rejected');
        if (Array.isArray(expected.rejected)) {
          for (const want of expected.rejected as object[])
            expect(rejected.flatMap((r) => (r.kind === 'rejected' ? r.errors : []))).toContainEqual(
              expect.objectContaining(want),
            );
        } else {
          expect({ records: records(items).length, deletions: 0, rejected: rejected.length }).toEqual(
            expected,
          );
        }
      });
    }
  }
});
