import { checkPeerJwks, keysFor } from './peer-jwks';

const ed = {
  kty: 'OKP',
  crv: 'Ed25519',
  x: 'eF9zYWd1OVZ0bEhsRjZ5cGFXWkx2eF9zYWd1OVZ0bEg',
  kid: 's1',
  use: 'sig',
  alg: 'EdDSA',
};
const x = {
  kty: 'OKP',
  crv: 'X25519',
  x: 'aGVsbG8td29ybGQtaGVsbG8td29ybGQtaGVsbG8tMTI',
  kid: 'e1',
  use: 'enc',
  alg: 'ECDH-ES',
};
const rsa = { kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'r1', use: 'sig', alg: 'RS256' };

describe('checkPeerJwks', () => {
  it('keeps the public OKP and EC keys with only their public members, and leaves RSA keys out', () => {
    const checked = checkPeerJwks({ keys: [{ ...ed, extra: 'x', key_ops: ['verify'] }, x, rsa] });
    expect(checked).toEqual({ jwks: { keys: [ed, x] } });
  });

  it('refuses a set holding a private or symmetric key, naming the member', () => {
    expect(checkPeerJwks({ keys: [{ ...ed, d: 'secret' }] }, '/jwks')).toEqual({
      errors: [{ pointer: '/jwks/keys/0/d', detail: 'must not be there: only public keys are accepted' }],
    });
    expect(checkPeerJwks({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] })).toEqual({
      errors: [{ pointer: '/keys/0/k', detail: 'must not be there: only public keys are accepted' }],
    });
  });

  it('wants a kid, unique, and a use on every key it keeps, and at least one usable key', () => {
    expect(checkPeerJwks({ keys: [{ ...ed, kid: undefined }, { ...x, use: undefined }, ed, ed] })).toEqual({
      errors: [
        { pointer: '/keys/0/kid', detail: 'must be a string of 1 to 500 characters' },
        { pointer: '/keys/1/use', detail: 'must be sig or enc' },
        { pointer: '/keys/3/kid', detail: 'must be unique in the set' },
      ],
    });
    expect(checkPeerJwks({ keys: [rsa] })).toEqual({
      errors: [{ pointer: '/keys', detail: 'must hold at least one public Ed25519, X25519 or P-256 key' }],
    });
    expect(checkPeerJwks([ed])).toEqual({
      errors: [{ pointer: '', detail: 'must be a JWK Set: an object with a keys array' }],
    });
  });

  it('gives the keys of one use that are not revoked', () => {
    expect(keysFor({ keys: [ed, x] }, 'sig', new Set())).toEqual([ed]);
    expect(keysFor({ keys: [ed, x] }, 'sig', new Set(['s1']))).toEqual([]);
  });
});
