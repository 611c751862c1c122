import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  base64url,
  CompactEncrypt,
  CompactSign,
  exportJWK,
  generateKeyPair,
  type CompactJWEHeaderParameters,
  type JWK,
} from 'jose';
import type { LearnerRecord } from '../../records/learner-record.types';
import { openPackage, packageAddress, type OpenPackageOptions } from './open-package';
import {
  packageDocument,
  PACKAGE_JWE_TYP,
  PACKAGE_JWS_TYP,
  type SealInput,
  type TransferManifest,
} from './package-format';
import { sealPackage, type PackageSigner, type ReceiverEncryptionKey } from './seal-package';
import { TransferPackageRefused } from './transfer-package.errors';

const NOW = new Date('2026-09-01T08:00:00Z');
const SENDER = '1980';
const RECEIVER = '0180';

interface KeyPairJwk {
  publicJwk: JWK;
  privateJwk: JWK;
}

async function keyPair(alg: string, kid: string, use: 'sig' | 'enc', crv?: string): Promise<KeyPairJwk> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { crv, extractable: true });
  return {
    publicJwk: { ...(await exportJWK(publicKey)), kid, use, alg },
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
  };
}

function record(): LearnerRecord {
  return {
    schemaVersion: '1.0',
    source: { platform: 'test-platform', id: 'p-1' },
    pupil: {
      civicNo: { value: '201203152382', nationality: 'SE' },
      givenName: 'Märta',
      familyName: 'Öberg',
      birthDate: '2012-03-15',
      securityMarking: 'Ingen',
    },
    grades: [
      {
        subjectCode: 'MA',
        gradeScale: 'A-F',
        value: 'B',
        final: false,
        trial: false,
        registeredDate: '2025-06-10',
        semester: 'VT',
        year: 2025,
        curriculum: 'LGR22',
        schoolUnitCode: '12345678',
      },
    ],
  };
}

function sealInput(overrides: Partial<SealInput> = {}): SealInput {
  return {
    sender: { kommun: SENDER, schoolUnit: '12345678' },
    receiver: { kommun: RECEIVER },
    pupil: { ref: 'rec-42' },
    categories: ['identity', 'grades'],
    legalBasis: { identity: 'legalObligation', grades: 'legalObligation' },
    consentReceipts: [],
    payload: {
      record: record(),
      loss: [{ kind: 'dropped', source: { pointer: '/supportMeasures' }, detail: 'not for this purpose' }],
    },
    ...overrides,
  };
}

let senderSig: KeyPairJwk;
let otherSig: KeyPairJwk;
let receiverEnc: KeyPairJwk;
let otherEnc: KeyPairJwk;

beforeAll(async () => {
  senderSig = await keyPair('EdDSA', 'https://a.example/kommuner/1980/.well-known/jwks.json#s1', 'sig');
  otherSig = await keyPair('EdDSA', 'https://evil.example/k#x', 'sig');
  receiverEnc = await keyPair(
    'ECDH-ES',
    'https://b.example/kommuner/0180/.well-known/jwks.json#e1',
    'enc',
    'X25519',
  );
  otherEnc = await keyPair(
    'ECDH-ES',
    'https://c.example/kommuner/0999/.well-known/jwks.json#e1',
    'enc',
    'X25519',
  );
});

const signerWith =
  (pair: KeyPairJwk, header: Record<string, unknown> = {}): PackageSigner =>
  (document, typ) =>
    new CompactSign(document)
      .setProtectedHeader({ alg: String(pair.privateJwk.alg), typ, kid: pair.privateJwk.kid, ...header })
      .sign(pair.privateJwk);

const encryptTo = (pair: KeyPairJwk): ReceiverEncryptionKey => ({
  key: pair.publicJwk,
  kid: String(pair.publicJwk.kid),
  alg: String(pair.publicJwk.alg),
});

function seal(input = sealInput(), sign = signerWith(senderSig), to = encryptTo(receiverEnc)) {
  return sealPackage(input, { sign, encryptTo: to, now: NOW });
}

function options(overrides: Partial<OpenPackageOptions> = {}): OpenPackageOptions {
  return {
    decrypt: receiverEnc.privateJwk,
    verificationKeys: { keys: [senderSig.publicJwk] },
    expectedReceiver: RECEIVER,
    now: NOW,
    ...overrides,
  };
}

/** A JWE of any content, with the package's header unless changed. */
function encryptRaw(content: string, header: Partial<CompactJWEHeaderParameters> = {}, to = receiverEnc) {
  return new CompactEncrypt(new TextEncoder().encode(content))
    .setProtectedHeader({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      typ: PACKAGE_JWE_TYP,
      cty: PACKAGE_JWS_TYP,
      kid: String(to.publicJwk.kid),
      iss: SENDER,
      aud: RECEIVER,
      ...header,
    })
    .encrypt(to.publicJwk);
}

/** The signed document of a valid package, for hand-made signatures. */
async function validDocument(): Promise<Uint8Array> {
  let captured: Uint8Array | undefined;
  await seal(sealInput(), async (document, typ) => {
    captured = document;
    return signerWith(senderSig)(document, typ);
  });
  return captured!;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TransferPackageRefused) return err.problem.slug;
    throw err;
  }
  throw new Error('the package was opened');
}

function flip(jwe: string, index: number, replacement: string): string {
  return jwe.slice(0, index) + replacement + jwe.slice(index + 1);
}

describe('sealPackage and openPackage', () => {
  it('round-trips a package: manifest, payload and the key that signed it', async () => {
    const sealed = await seal();
    const opened = await openPackage(sealed.jwe, options({ seenJti: () => false }));
    expect(opened.manifest).toEqual(sealed.manifest);
    expect(opened.manifest).toMatchObject({
      formatVersion: 1,
      iss: SENDER,
      aud: RECEIVER,
      sender: { kommun: SENDER, schoolUnit: '12345678' },
      receiver: { kommun: RECEIVER },
      pupil: { ref: 'rec-42' },
      schemaVersion: '1.0',
      categories: ['identity', 'grades'],
      iat: NOW.getTime() / 1000,
      exp: NOW.getTime() / 1000 + 14 * 86_400,
    });
    expect(opened.manifest.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(opened.payload).toEqual(sealInput().payload);
    expect(opened.sender).toEqual({ kommun: SENDER, kid: senderSig.publicJwk.kid, alg: 'EdDSA' });
    expect(opened.jws.split('.')).toHaveLength(3);
  });

  it('round-trips with ES256 and ECDH-ES+A256KW on P-256', async () => {
    const es = await keyPair('ES256', 'es-1', 'sig');
    const p256 = await keyPair('ECDH-ES+A256KW', 'p256-1', 'enc', 'P-256');
    const sealed = await seal(sealInput(), signerWith(es), encryptTo(p256));
    const opened = await openPackage(
      sealed.jwe,
      options({ decrypt: p256.privateJwk, verificationKeys: { keys: [es.publicJwk] } }),
    );
    expect(opened.sender.alg).toBe('ES256');
    expect(opened.payload.record.pupil.givenName).toBe('Märta');
  });

  it('puts the headers the specification names on the JWE and the JWS', async () => {
    const sealed = await seal();
    const [jweHeader] = sealed.jwe.split('.');
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(jweHeader)))).toEqual({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      typ: 'transfer-package+jwe',
      cty: 'transfer-package+jws',
      kid: receiverEnc.publicJwk.kid,
      iss: SENDER,
      aud: RECEIVER,
      epk: expect.objectContaining({ kty: 'OKP', crv: 'X25519' }),
    });
    const opened = await openPackage(sealed.jwe, options());
    const [jwsHeader] = opened.jws.split('.');
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(jwsHeader)))).toEqual({
      alg: 'EdDSA',
      typ: 'transfer-package+jws',
      kid: senderSig.publicJwk.kid,
    });
  });

  it('tells where a package is addressed without opening it, for routing only', async () => {
    const { jwe } = await seal();
    expect(packageAddress(jwe)).toEqual({ iss: SENDER, aud: RECEIVER, kid: receiverEnc.publicJwk.kid });
    expect(packageAddress('garbage')).toBeNull();
  });

  it('refuses to seal a manifest its receiver would refuse', async () => {
    await expect(
      seal(sealInput({ categories: ['identity', 'grades'], legalBasis: { identity: 'consent' } })),
    ).rejects.toThrow(/legalBasis names no basis for grades/);
  });
});

describe('openPackage refuses', () => {
  it('refuses a package with one flipped byte in the iv, ciphertext or tag as tampered', async () => {
    const { jwe } = await seal();
    const [h, k, iv, ct] = jwe.split('.');
    const starts = [
      h.length + k.length + 2,
      h.length + k.length + iv.length + 3,
      h.length + k.length + iv.length + ct.length + 4,
    ];
    for (const at of [starts[0] + 3, starts[1] + 10, starts[1] + Math.floor(ct.length / 2), starts[2] + 1]) {
      const changed = flip(jwe, at, jwe[at] === 'A' ? 'B' : 'A');
      expect(await refusal(openPackage(changed, options()))).toBe('transfer-package-tampered');
    }
  });

  it('refuses a change to the unused bits of a part, which decoders would not notice', async () => {
    const { jwe } = await seal();
    const tag = jwe.split('.')[4]; // 16 bytes: 22 characters, the last with 4 unused bits
    expect(tag.length % 4).toBe(2);
    const last = jwe.length - 1;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBits = alphabet[alphabet.indexOf(jwe[last]) | 1];
    expect(await refusal(openPackage(flip(jwe, last, sameBits), options()))).toBe(
      'transfer-package-malformed',
    );
  });

  it('refuses any single changed byte anywhere in the compact JWE', async () => {
    const { jwe } = await seal();
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: jwe.length - 1 }),
        fc.constantFrom(...chars.split('')),
        async (at, replacement) => {
          fc.pre(jwe[at] !== replacement);
          await expect(openPackage(flip(jwe, at, replacement), options())).rejects.toBeInstanceOf(
            TransferPackageRefused,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a package signed by a key the sender does not have', async () => {
    const { jwe } = await seal(sealInput(), signerWith(otherSig));
    expect(await refusal(openPackage(jwe, options()))).toBe('transfer-package-untrusted-sender');
  });

  it('refuses a package from a kommun that is not a trusted peer', async () => {
    const { jwe } = await seal();
    const asked: string[] = [];
    const verificationKeys = (kommun: string) => (asked.push(kommun), Promise.resolve(null));
    expect(await refusal(openPackage(jwe, options({ verificationKeys })))).toBe(
      'transfer-package-untrusted-sender',
    );
    expect(asked).toEqual([SENDER]);
  });

  it('refuses a package signed by a revoked key', async () => {
    const { jwe } = await seal();
    const keys = { keys: [senderSig.publicJwk], revokedKids: [String(senderSig.publicJwk.kid)] };
    expect(await refusal(openPackage(jwe, options({ verificationKeys: keys })))).toBe(
      'transfer-package-revoked-key',
    );
  });

  it('refuses a package whose signature says alg none', async () => {
    const document = await validDocument();
    const header = base64url.encode(
      JSON.stringify({ alg: 'none', typ: PACKAGE_JWS_TYP, kid: senderSig.publicJwk.kid }),
    );
    const jwe = await encryptRaw(`${header}.${base64url.encode(document)}.`);
    expect(await refusal(openPackage(jwe, options()))).toBe('transfer-package-algorithm-not-allowed');
  });

  it('refuses a package signed HS256 with the public key as the secret', async () => {
    const document = await validDocument();
    const secret = new TextEncoder().encode(JSON.stringify(senderSig.publicJwk));
    const jws = await new CompactSign(document)
      .setProtectedHeader({ alg: 'HS256', typ: PACKAGE_JWS_TYP, kid: senderSig.publicJwk.kid })
      .sign(secret);
    const jwe = await encryptRaw(jws);
    expect(await refusal(openPackage(jwe, options()))).toBe('transfer-package-algorithm-not-allowed');
  });

  it('refuses a package encrypted with an algorithm not allowed', async () => {
    const { jwe } = await seal();
    const inner = (await openPackage(jwe, options())).jws;
    const weak = await encryptRaw(inner, { enc: 'A128GCM' });
    expect(await refusal(openPackage(weak, options()))).toBe('transfer-package-algorithm-not-allowed');
    const direct = await new CompactEncrypt(new TextEncoder().encode(inner))
      .setProtectedHeader({
        alg: 'dir',
        enc: 'A256GCM',
        typ: PACKAGE_JWE_TYP,
        cty: PACKAGE_JWS_TYP,
        iss: SENDER,
        aud: RECEIVER,
      })
      .encrypt(new Uint8Array(32));
    expect(await refusal(openPackage(direct, options()))).toBe('transfer-package-algorithm-not-allowed');
  });

  it('refuses a package for another kommun, by its header and by its signed manifest', async () => {
    const { jwe } = await seal();
    expect(await refusal(openPackage(jwe, options({ expectedReceiver: '0999' })))).toBe(
      'transfer-package-wrong-receiver',
    );
    // Signed for 0180, then re-encrypted by someone to 0999 with a header saying 0999.
    const inner = (await openPackage(jwe, options())).jws;
    const readdressed = await encryptRaw(
      inner,
      { aud: '0999', kid: String(otherEnc.publicJwk.kid) },
      otherEnc,
    );
    expect(
      await refusal(
        openPackage(readdressed, options({ decrypt: otherEnc.privateJwk, expectedReceiver: '0999' })),
      ),
    ).toBe('transfer-package-wrong-receiver');
  });

  it('refuses a package not encrypted to this kommun as one it cannot open', async () => {
    const { jwe } = await seal(sealInput(), signerWith(senderSig), encryptTo(otherEnc));
    expect(await refusal(openPackage(jwe, options()))).toBe('transfer-package-tampered');
  });

  it('refuses an expired package', async () => {
    const { jwe } = await seal(sealInput({ ttlSeconds: 3600 }));
    const later = new Date(NOW.getTime() + 2 * 3600_000);
    expect(await refusal(openPackage(jwe, options({ now: later })))).toBe('transfer-package-expired');
  });

  it('refuses a replayed package', async () => {
    const { jwe, manifest } = await seal();
    const seen = new Set<string>([manifest.jti]);
    expect(await refusal(openPackage(jwe, options({ seenJti: (jti) => seen.has(jti) })))).toBe(
      'transfer-package-replayed',
    );
  });

  it('refuses an oversized package before any other work', async () => {
    const { jwe } = await seal();
    expect(await refusal(openPackage(jwe, options({ maxBytes: 1024 })))).toBe('transfer-package-too-large');
  });

  it('refuses a package whose payload does not match the hash its manifest names', async () => {
    const sign: PackageSigner = (document, typ) => {
      // A sender that changes the payload after computing the manifest, then signs.
      const text = new TextDecoder().decode(document).replace('"value":"B"', '"value":"A"');
      return signerWith(senderSig)(new TextEncoder().encode(text), typ);
    };
    const { jwe } = await seal(sealInput(), sign);
    expect(await refusal(openPackage(jwe, options()))).toBe('transfer-package-payload-hash-mismatch');
  });

  it('refuses a package whose record fails the canonical schema, naming the fields', async () => {
    const bad = { ...record(), pupil: { ...record().pupil, birthDate: '15 March 2012' } };
    const { jwe } = await seal(sealInput({ payload: { record: bad, loss: [] } }));
    try {
      await openPackage(jwe, options());
      throw new Error('opened');
    } catch (err) {
      expect(err).toBeInstanceOf(TransferPackageRefused);
      const refused = err as TransferPackageRefused;
      expect(refused.problem.slug).toBe('transfer-package-invalid-record');
      expect(refused.errors).toContainEqual({
        pointer: '/record/pupil/birthDate',
        detail: 'must be a date, YYYY-MM-DD',
      });
      expect(new Set(refused.errors?.map((e) => e.pointer))).toEqual(new Set(['/record/pupil/birthDate']));
    }
  });

  it('refuses a record holding a category its manifest does not declare', async () => {
    const { jwe } = await seal(
      sealInput({ categories: ['identity'], legalBasis: { identity: 'legalObligation' } }),
    );
    try {
      await openPackage(jwe, options());
      throw new Error('opened');
    } catch (err) {
      expect((err as TransferPackageRefused).problem.slug).toBe('transfer-package-invalid-record');
      expect((err as TransferPackageRefused).errors).toEqual([
        { pointer: '/record/grades', detail: 'is in a category the manifest does not include' },
      ]);
    }
  });

  it('refuses another token of the sender as the wrong type, outside and inside', async () => {
    const { jwe } = await seal();
    const inner = (await openPackage(jwe, options())).jws;
    expect(await refusal(openPackage(await encryptRaw(inner, { typ: 'JWT' }), options()))).toBe(
      'transfer-package-wrong-type',
    );
    const document = await validDocument();
    const jwt = await signerWith(senderSig)(document, 'consent-receipt+jwt');
    expect(await refusal(openPackage(await encryptRaw(jwt), options()))).toBe('transfer-package-wrong-type');
  });

  it('refuses what is not a compact JWE, and a document not laid out as the format says', async () => {
    expect(await refusal(openPackage('not.a.package', options()))).toBe('transfer-package-malformed');
    const manifest: TransferManifest = (await seal()).manifest;
    const pretty = new TextEncoder().encode(
      JSON.stringify({ manifest, payload: sealInput().payload }, null, 2),
    );
    const jws = await signerWith(senderSig)(pretty, PACKAGE_JWS_TYP);
    expect(await refusal(openPackage(await encryptRaw(jws), options()))).toBe('transfer-package-malformed');
  });

  it('finds the payload after a manifest whose strings hold braces and quotes', async () => {
    const { jwe } = await seal(
      sealInput({ pupil: { ref: 'x}{"\\"],"payload":{' }, consentReceipts: [randomUUID()] }),
    );
    const opened = await openPackage(jwe, options());
    expect(opened.manifest.pupil.ref).toBe('x}{"\\"],"payload":{');
    expect(packageDocument(opened.manifest, new Uint8Array()).length).toBeGreaterThan(0);
  });
});
