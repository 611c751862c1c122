import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { EnvelopeContext, EnvelopeError, KeyEnvelope } from './key-envelope';

const context: EnvelopeContext = {
  kommunCode: '1980',
  kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
  use: 'sig',
  alg: 'EdDSA',
};
const secret = JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: 'pub', d: 'the-private-part' });

function failure(fn: () => unknown): EnvelopeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeError);
    return err as EnvelopeError;
  }
  throw new Error('expected the envelope not to open');
}

/** Flips one bit of one base64url part of a sealed key. */
function flip(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part], 'base64url');
  bytes[0] ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('KeyEnvelope (private keys at rest)', () => {
  const envelope = new KeyEnvelope(randomBytes(32));

  it('opens what it sealed, for the same kommun and kid', () => {
    const sealed = envelope.seal(secret, context);
    expect(sealed).toMatch(/^pk1\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('the-private-part');
    expect(envelope.open(sealed, context)).toBe(secret);
  });

  it('seals with a fresh nonce each time', () => {
    expect(envelope.seal(secret, context)).not.toBe(envelope.seal(secret, context));
  });

  it.each([
    ['another kommun', { kommunCode: '0114' }],
    ['another kid', { kid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['another use', { use: 'enc' }],
    ['another alg', { alg: 'RS256' }],
  ])('refuses a sealed key opened as %s (associated data)', (_label, change) => {
    const sealed = envelope.seal(secret, context);
    expect(failure(() => envelope.open(sealed, { ...context, ...change })).reason).toBe('tampered');
  });

  it.each([
    [2, 'nonce'],
    [3, 'ciphertext'],
    [4, 'tag'],
  ])('refuses a sealed key whose %s was changed by one bit (part %#)', (part) => {
    const sealed = envelope.seal(secret, context);
    expect(failure(() => envelope.open(flip(sealed, part), context)).reason).toBe('tampered');
  });

  it('refuses a truncated ciphertext', () => {
    const parts = envelope.seal(secret, context).split('.');
    parts[3] = parts[3].slice(0, -4);
    expect(failure(() => envelope.open(parts.join('.'), context)).reason).toBe('tampered');
  });

  it('tells a wrong master key apart from tampering, and a relabelled key id is tampering', () => {
    const sealed = envelope.seal(secret, context);
    const other = new KeyEnvelope(randomBytes(32));
    const wrong = failure(() => other.open(sealed, context));
    expect(wrong.reason).toBe('wrong-master-key');
    expect(wrong.message).toContain(envelope.masterKeyId);
    // Claiming the other key's id does not help: the id is part of the associated data too.
    const relabelled = sealed.replace(envelope.masterKeyId, other.masterKeyId);
    expect(failure(() => other.open(relabelled, context)).reason).toBe('tampered');
  });

  it('refuses what is not a sealed key', () => {
    expect(failure(() => envelope.open('{"d":"x"}', context)).reason).toBe('malformed');
    expect(failure(() => envelope.open('pk2.a.b.c.d', context)).reason).toBe('malformed');
  });

  it('derives a stable key id from the master key, and shows nothing else of it', () => {
    const master = randomBytes(32);
    expect(new KeyEnvelope(master).masterKeyId).toBe(new KeyEnvelope(master).masterKeyId);
    const shown = `${inspect(envelope)} ${JSON.stringify(envelope)}`;
    expect(shown).toBe(
      `KeyEnvelope { masterKeyId: '${envelope.masterKeyId}' } {"masterKeyId":"${envelope.masterKeyId}"}`,
    );
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => new KeyEnvelope(randomBytes(16))).toThrow('32 bytes');
  });
});
