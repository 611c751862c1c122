import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { sealPackage } from '../transfers/package/seal-package';
import { REFUSED, UNVERIFIED, USAGE, VERIFIED, verifyPackage, type Output } from './verify.command';

const NOW = new Date();

describe('portabel verify', () => {
  let dir: string;
  let jwe: string;
  let jti: string;
  const files: Record<string, string> = {};

  const capture = (): Output & { lines: string[]; errors: string[] } => {
    const lines: string[] = [];
    const errors: string[] = [];
    return { lines, errors, out: (t) => lines.push(t), err: (t) => errors.push(t) };
  };
  const write = (name: string, content: string) => {
    files[name] = join(dir, name);
    writeFileSync(files[name], content);
    return files[name];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portabel-verify-'));
    const sig = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const enc = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
    const sigPublic: JWK = { ...(await exportJWK(sig.publicKey)), kid: 'sender#1', use: 'sig', alg: 'EdDSA' };
    const encPublic: JWK = {
      ...(await exportJWK(enc.publicKey)),
      kid: 'receiver#1',
      use: 'enc',
      alg: 'ECDH-ES',
    };
    const sealed = await sealPackage(
      {
        sender: { kommun: '1980' },
        receiver: { kommun: '0180' },
        pupil: { ref: 'rec-7' },
        categories: ['identity'],
        legalBasis: { identity: 'legalObligation' },
        consentReceipts: [],
        payload: {
          record: {
            schemaVersion: '1.0',
            source: { platform: 'p', id: '7' },
            pupil: {
              civicNo: { value: '201203152382', nationality: 'SE' },
              givenName: 'Märta',
              familyName: 'Öberg',
              birthDate: '2012-03-15',
              securityMarking: 'Ingen',
            },
          },
          loss: [],
        },
      },
      {
        sign: (doc, typ) =>
          new CompactSign(doc)
            .setProtectedHeader({ alg: 'EdDSA', typ, kid: 'sender#1' })
            .sign(sig.privateKey),
        encryptTo: { key: encPublic, kid: 'receiver#1', alg: 'ECDH-ES' },
        now: NOW,
      },
    );
    jwe = sealed.jwe;
    jti = sealed.manifest.jti;
    write('package.jwe', `${jwe}\n`);
    write('sender.jwks.json', JSON.stringify({ keys: [sigPublic] }));
    write(
      'receiver.key.json',
      JSON.stringify({ keys: [{ ...(await exportJWK(enc.privateKey)), kid: 'receiver#1' }] }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a package with the receiver’s key and prints its manifest, never the record', async () => {
    const io = capture();
    const code = await verifyPackage(
      files['package.jwe'],
      { jwks: files['sender.jwks.json'], key: files['receiver.key.json'], receiver: '0180' },
      io,
    );
    expect(code).toBe(VERIFIED);
    expect(io.lines[0]).toBe(`VERIFIED: transfer package ${jti} from kommun 1980 to kommun 0180`);
    expect(io.lines.join('\n')).toContain('"pupil": {\n    "ref": "rec-7"\n  }');
    expect(io.lines.join('\n')).not.toMatch(/Märta|201203152382/);
  });

  it('says honestly that without the key only the outer layer was checked', async () => {
    const io = capture();
    const code = await verifyPackage(files['package.jwe'], { jwks: files['sender.jwks.json'] }, io);
    expect(code).toBe(UNVERIFIED);
    expect(io.lines[0]).toBe(
      'NOT VERIFIED: a transfer package from kommun 1980 to kommun 0180, encrypted to receiver#1 (ECDH-ES, A256GCM)',
    );
    expect(io.lines[1]).toMatch(/signature.*give its private key with --key/);
  });

  it('refuses, with the problem type and a non-zero exit, a package for another kommun or changed', async () => {
    const io = capture();
    expect(
      await verifyPackage(files['package.jwe'], { jwks: files['sender.jwks.json'], receiver: '1480' }, io),
    ).toBe(REFUSED);
    expect(io.lines[0]).toBe('REFUSED: urn:portabel:problem:transfer-package-wrong-receiver');

    const at = jwe.lastIndexOf('.') - 5;
    const changed = write(
      'changed.jwe',
      jwe.slice(0, at) + (jwe[at] === 'A' ? 'B' : 'A') + jwe.slice(at + 1),
    );
    const json = capture();
    const code = await verifyPackage(
      changed,
      { jwks: files['sender.jwks.json'], key: files['receiver.key.json'], json: true },
      json,
    );
    expect(code).toBe(REFUSED);
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({
      verdict: 'refused',
      problem: { type: 'urn:portabel:problem:transfer-package-tampered' },
    });
  });

  it('refuses a package past its expiry when checked as of a later time', async () => {
    const io = capture();
    const later = new Date(NOW.getTime() + 30 * 86_400_000).toISOString();
    const code = await verifyPackage(
      files['package.jwe'],
      { jwks: files['sender.jwks.json'], key: files['receiver.key.json'], at: later },
      io,
    );
    expect(code).toBe(REFUSED);
    expect(io.lines[0]).toBe('REFUSED: urn:portabel:problem:transfer-package-expired');
  });

  it('fetches the sender’s JWK Set from a URL', async () => {
    const server = createServer((_req, res) => res.end(readFileSync(files['sender.jwks.json'])));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
      const io = capture();
      expect(
        await verifyPackage(files['package.jwe'], { jwks: url, key: files['receiver.key.json'] }, io),
      ).toBe(VERIFIED);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('exits 2 on unusable arguments, naming them', async () => {
    const io = capture();
    expect(await verifyPackage(join(dir, 'missing.jwe'), { jwks: files['sender.jwks.json'] }, io)).toBe(
      USAGE,
    );
    expect(io.errors[0]).toMatch(/^portabel verify: ENOENT/);
    const noPrivate = capture();
    expect(
      await verifyPackage(
        files['package.jwe'],
        { jwks: files['sender.jwks.json'], key: files['sender.jwks.json'] },
        noPrivate,
      ),
    ).toBe(USAGE);
    expect(noPrivate.errors[0]).toMatch(/holds no private key/);
  });
});
