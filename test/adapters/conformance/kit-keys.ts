// A real KommunSigner and a CredentialVerifier that knows its keys, over jose key pairs made once per run,
// standing in for the keys module (which needs a database) on both ends of a round trip.
import {
  compactVerify,
  decodeProtectedHeader,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type ProtectedHeaderParameters,
} from 'jose';
import type { CredentialVerifier, KommunSigner } from '../../../src/adapters/vendor-adapter.port';

export type KitAlg = 'RS256' | 'EdDSA' | 'ES256';
type Alg = KitAlg;

interface KeyPair {
  alg: Alg;
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

export interface KitKeys {
  /** Signs as the kommun with its RS256, Ed25519 or P-256 key; `defaultAlg` when the header names none. */
  signer(kommunCode: string, defaultAlg?: Alg): KommunSigner;
  /** Resolves the kid URLs `signer` writes to its public keys; any other kid stays unverified. */
  verifier: CredentialVerifier;
}

const BASE_URL = 'https://portabel.conformance.test';
const KID =
  /^https:\/\/portabel\.conformance\.test\/kommuner\/[0-9]{4}\/\.well-known\/jwks\.json#(rs256|ed25519|es256)$/;
const KID_NAMES: Record<Alg, string> = { RS256: 'rs256', EdDSA: 'ed25519', ES256: 'es256' };

export async function createKitKeys(): Promise<KitKeys> {
  const pairs: Record<Alg, KeyPair> = {
    RS256: { alg: 'RS256', ...(await generateKeyPair('RS256', { modulusLength: 2048 })) },
    EdDSA: { alg: 'EdDSA', ...(await generateKeyPair('EdDSA', { crv: 'Ed25519' })) },
    ES256: { alg: 'ES256', ...(await generateKeyPair('ES256')) },
  };
  const kidOf = (kommunCode: string, alg: Alg): string =>
    `${BASE_URL}/kommuner/${kommunCode}/.well-known/jwks.json#${KID_NAMES[alg]}`;

  const signer = (kommunCode: string, defaultAlg: Alg = 'RS256'): KommunSigner => ({
    issuer: `${BASE_URL}/kommuner/${kommunCode}`,
    keyId: (alg) => Promise.resolve(kidOf(kommunCode, pairOf(pairs, alg ?? defaultAlg).alg)),
    signJwt: (payload, header) => {
      const pair = pairOf(pairs, header.alg ?? defaultAlg);
      return new SignJWT(payload)
        .setProtectedHeader({ alg: pair.alg, typ: header.typ, kid: kidOf(kommunCode, pair.alg) })
        .sign(pair.privateKey);
    },
  });

  const verifier: CredentialVerifier = {
    async verifyJwt(jwt) {
      let header: ProtectedHeaderParameters;
      try {
        header = decodeProtectedHeader(jwt);
      } catch {
        return { status: 'failed', method: 'VC-JWT', detail: 'the header cannot be read' };
      }
      const match = typeof header.kid === 'string' ? KID.exec(header.kid) : null;
      if (!match) return { status: 'unverified', method: 'kid', detail: 'a key this verifier does not know' };
      const alg = (Object.keys(KID_NAMES) as Alg[]).find((a) => KID_NAMES[a] === match[1]) as Alg;
      const pair = pairs[alg];
      const method = `${pair.alg} (kid)`;
      try {
        const { payload } = await compactVerify(jwt, pair.publicKey, { algorithms: [pair.alg] });
        return { status: 'verified', method, payload: JSON.parse(Buffer.from(payload).toString('utf8')) };
      } catch (error) {
        return { status: 'failed', method, detail: (error as Error).message };
      }
    },
  };
  return { signer, verifier };
}

function pairOf(pairs: Record<Alg, KeyPair>, alg: string): KeyPair {
  if (alg in pairs) return pairs[alg as Alg];
  throw new Error(`the conformance kit's signer has no ${alg} key`);
}
