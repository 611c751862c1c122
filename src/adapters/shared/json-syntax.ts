// Where a JSON text first goes wrong, and line/column of an offset: for refusals that say where.

/** 1-based line and column (in characters) of an offset into a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

type Expect = 'value' | 'valueOrEnd' | 'keyOrEnd' | 'key' | 'colon' | 'commaOrEnd' | 'done';

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;

/**
 * Where a JSON text first goes wrong (the offset of the offending character, or the text's length when it
 * ends too early); undefined when it is well-formed. JSON.parse's messages do not always say.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const stack: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const after = (): Expect => (stack.length > 0 ? 'commaOrEnd' : 'done');
  for (;;) {
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
    if (i >= text.length) return expect === 'done' ? undefined : text.length;
    const c = text[i];
    switch (expect) {
      case 'done':
        return i;
      case 'colon':
        if (c !== ':') return i;
        i++;
        expect = 'value';
        break;
      case 'commaOrEnd': {
        const top = stack[stack.length - 1];
        if (c === ',') {
          i++;
          expect = top === '{' ? 'key' : 'value';
        } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
          stack.pop();
          i++;
          expect = after();
        } else return i;
        break;
      }
      case 'keyOrEnd':
      case 'key':
        if (c === '}' && expect === 'keyOrEnd') {
          stack.pop();
          i++;
          expect = after();
        } else if (c === '"') {
          const end = scanString(text, i);
          if (end < 0) return -end - 1;
          i = end;
          expect = 'colon';
        } else return i;
        break;
      case 'valueOrEnd':
      case 'value':
        if (c === ']' && expect === 'valueOrEnd') {
          stack.pop();
          i++;
          expect = after();
        } else if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
        } else if (c === '"') {
          const end = scanString(text, i);
          if (end < 0) return -end - 1;
          i = end;
          expect = after();
        } else {
          const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
          if (literal) {
            i += literal.length;
          } else {
            NUMBER.lastIndex = i;
            if (!NUMBER.exec(text)) return i;
            i = NUMBER.lastIndex;
          }
          expect = after();
        }
        break;
    }
  }
}

/** The offset just past a string starting at `start`, or -(offset of the fault) - 1. */
function scanString(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j++) {
    const code = text.charCodeAt(j);
    if (code === 34) return j + 1;
    if (code < 0x20) return -j - 1;
    if (code === 92) {
      const next = text[j + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return -j - 1;
        j += 5;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
        j++;
      } else return -j - 1;
    }
  }
  return -text.length - 1;
}
