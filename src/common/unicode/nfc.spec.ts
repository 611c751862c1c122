import fc from 'fast-check';
import { toNfc } from './nfc';

describe('toNfc', () => {
  it('is normalize("NFC") for any text, composed or not', () => {
    for (const unit of ['grapheme', 'binary'] as const)
      fc.assert(
        fc.property(fc.string({ unit }), (text) => toNfc(text) === text.normalize('NFC')),
        { numRuns: 2_000 },
      );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0x36f }).map((c) => String.fromCharCode(c)) }),
        (text) => toNfc(text) === text.normalize('NFC'),
      ),
      { numRuns: 2_000 },
    );
  });

  it('composes a + combining ring, and leaves å, ä, ö and every code point below U+0300 alone', () => {
    expect(toNfc('A\u030angström')).toBe('Ångström');
    for (let c = 0; c < 0x300; c++) {
      const text = String.fromCharCode(c);
      expect(text.normalize('NFC')).toBe(text);
    }
    const swedish = 'Åsa Öberg, Ängelholm';
    expect(toNfc(swedish)).toBe(swedish);
  });
});
