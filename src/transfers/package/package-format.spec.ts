import { CATEGORIES } from '../../consent/categories';
import { LEGAL_BASES } from '../../consent/purposes';
import {
  manifestProblems,
  packageDocument,
  splitPackageDocument,
  TRANSFER_MANIFEST_SCHEMA,
} from './package-format';
import type { TransferManifest } from './package-format';

const manifest: TransferManifest = {
  formatVersion: 1,
  jti: '6f1c8a52-4a3b-4f3e-9a55-0b7f4c1e2d10',
  iss: '1980',
  aud: '0180',
  sender: { kommun: '1980' },
  receiver: { kommun: '0180', schoolUnit: '87654321' },
  pupil: { ref: 'r1' },
  schemaVersion: '1.0',
  categories: ['identity', 'grades'],
  legalBasis: { identity: 'legalObligation', grades: 'consent' },
  consentReceipts: ['urn:uuid:1'],
  iat: 1_800_000_000,
  exp: 1_800_086_400,
  payloadSha256: 'a'.repeat(64),
};

describe('the package format', () => {
  it("publishes the consent module's categories and legal bases in the manifest schema", () => {
    const defs = TRANSFER_MANIFEST_SCHEMA.$defs as Record<string, { enum: string[] }>;
    expect(defs.Category.enum).toEqual([...CATEGORIES]);
    const properties = TRANSFER_MANIFEST_SCHEMA.properties as Record<
      string,
      { additionalProperties: { enum: string[] } }
    >;
    expect(properties.legalBasis.additionalProperties.enum).toEqual([...LEGAL_BASES]);
  });

  it('accepts a sound manifest and names what is wrong with an unsound one', () => {
    expect(manifestProblems(manifest)).toEqual([]);
    expect(manifestProblems({ ...manifest, aud: '1980' })).toEqual(['aud is not receiver.kommun']);
    expect(manifestProblems({ ...manifest, exp: manifest.iat })).toEqual(['exp is not after iat']);
    expect(manifestProblems({ ...manifest, legalBasis: { identity: 'consent' } })).toEqual([
      'legalBasis names no basis for grades',
    ]);
    expect(manifestProblems({ ...manifest, extra: 1 })).toEqual(['/ must NOT have additional properties']);
  });

  it('lays the document out as {"manifest":M,"payload":P} and splits it back to the same bytes', () => {
    const payload = new TextEncoder().encode('{"record":{"a":"}]\\""},"loss":[]}');
    const doc = packageDocument(manifest, payload);
    expect(new TextDecoder().decode(doc)).toBe(
      `{"manifest":${JSON.stringify(manifest)},"payload":{"record":{"a":"}]\\""},"loss":[]}}`,
    );
    const parts = splitPackageDocument(doc);
    if ('error' in parts) throw new Error(parts.error);
    expect(Buffer.from(parts.payload).equals(Buffer.from(payload))).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(parts.manifest))).toEqual(manifest);
  });

  it('says why a document is not laid out as the format says', () => {
    const split = (s: string) => splitPackageDocument(new TextEncoder().encode(s));
    expect(split('{"payload":{},"manifest":{}}')).toEqual({
      error: 'The signed document does not start with the manifest.',
    });
    expect(split('{"manifest":{"a":"}')).toEqual({ error: 'The manifest is not a JSON object.' });
    expect(split('{"manifest":{}, "payload":{}}')).toEqual({
      error: 'The manifest is not followed by the payload.',
    });
    expect(split('{"manifest":{},"payload":{}]')).toEqual({
      error: 'The signed document does not end after the payload.',
    });
  });
});
