import fc from 'fast-check';
import { DomainError } from '../problem/domain-error';
import { MAX_JSON_DEPTH, parseStrictJson } from './strict-json';

const codeOf = (text: string): string | undefined => {
  try {
    parseStrictJson(text);
    return undefined;
  } catch (err) {
    return (err as DomainError).code;
  }
};

describe('parseStrictJson', () => {
  it('returns what JSON.parse returns for ordinary JSON (in NFC)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        const expected = JSON.parse(text.normalize('NFC'));
        let parsed: unknown;
        try {
          parsed = parseStrictJson(text);
        } catch (err) {
          // Refusals are only for what the checks are about.
          expect([
            'BODY.NUMBER_PRECISION',
            'BODY.NUMBER_RANGE',
            'BODY.BAD_UNICODE',
            'BODY.NUL_CHARACTER',
            'BODY.FORBIDDEN_KEY',
          ]).toContain((err as DomainError).code);
          return;
        }
        expect(parsed).toEqual(expected);
      }),
    );
  });

  it('finds the problem wherever the fast scan has to hand over to the walk', () => {
    expect(codeOf('{"a":[1,2,{"b":1e400}]}')).toBe('BODY.NUMBER_RANGE');
    expect(codeOf('{"a":-12345678901234567890}')).toBe('BODY.NUMBER_PRECISION');
    expect(codeOf('{"a":1.2345678901234567}')).toBeUndefined(); // long but an ordinary double
    expect(codeOf('{"a":"1e400 in a string is text","b":true,"c":false}')).toBeUndefined();
    expect(codeOf(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeUndefined();
    expect(codeOf(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe(
      'BODY.TOO_DEEP',
    );
    expect(
      codeOf('{"s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}'),
    ).toBeUndefined();
    expect(codeOf('{"s":"\\"[[[{{{"}')).toBeUndefined();
    expect(codeOf('{"x":"\\ud83d"}')).toBe('BODY.BAD_UNICODE');
    expect(codeOf('{"x":"\\ud83d\\ude00"}')).toBeUndefined();
    expect(codeOf('{"x\\u0000":1}')).toBe('BODY.NUL_CHARACTER');
    expect(codeOf('{"__proto__":{}}')).toBe('BODY.FORBIDDEN_KEY');
    expect(codeOf('{"note":"__proto__ as text is fine"}')).toBeUndefined();
  });

  it('gives decomposed characters back composed, raw or escaped', () => {
    expect(parseStrictJson('{"n":"A\u030asa"}')).toEqual({ n: 'Åsa' });
    expect(parseStrictJson('{"n":"A\\u030asa","A\\u030a":1}')).toEqual({ n: 'Åsa', Å: 1 });
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => parseStrictJson(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(DomainError);
  });
});
