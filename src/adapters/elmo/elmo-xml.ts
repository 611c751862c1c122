// Reads one XML document defensively and turns it into a small element tree with source positions.
// ELMO has no DTD, so a document type declaration is refused outright: no internal or external entity
// can be declared, which rules out XXE and entity expansion whatever the parser does. Entity and
// character references are decoded here, not by fast-xml-parser, so that only XML's five predefined
// entities and numeric references are ever honoured.
import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Bigger than any plausible transcript with its PDF attachments; the whole document is parsed in memory. */
export const MAX_XML_DOCUMENT_BYTES = 32 * 1024 * 1024;
const MAX_DEPTH = 64;

export interface XmlElement {
  /** Local name, without a namespace prefix. */
  name: string;
  /** Qualified name as written, e.g. ds:Signature. */
  qname: string;
  /** Attributes by qualified name (xml:lang, xmlns:xsi, type), decoded. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** This element's own character data (text and CDATA, decoded), not its descendants'. */
  text: string;
  line: number;
  column: number;
  /** XPath-like place, e.g. /elmo/report/learningOpportunitySpecification[2]/title[1]. */
  path: string;
}

export interface XmlProblem {
  line?: number;
  column?: number;
  detail: string;
}

/** The document as a whole cannot be read; `code` is stable, the problems say where. */
export class XmlDocumentError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly problems: XmlProblem[] = [],
  ) {
    super(detail);
  }
}

/** Bytes to text: a BOM, else the declared encoding, else UTF-8 (XML 1.0 §4.3.3, Appendix F). */
export function decodeXmlBytes(bytes: Buffer, codePrefix: string): string {
  if (bytes.length === 0) {
    throw new XmlDocumentError(`${codePrefix}.EMPTY`, 'The document is empty.', [
      { line: 1, column: 1, detail: 'no root element' },
    ]);
  }
  if (bytes.length > MAX_XML_DOCUMENT_BYTES) {
    throw new XmlDocumentError(
      `${codePrefix}.TOO_LARGE`,
      `The document is ${bytes.length} bytes; at most ${MAX_XML_DOCUMENT_BYTES} are read.`,
    );
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3), codePrefix);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2), codePrefix);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2), codePrefix);
  const declared = declaredEncoding(bytes);
  if (declared === undefined || /^utf-?8$/i.test(declared)) return utf8(bytes, codePrefix);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared, { fatal: true });
  } catch {
    throw new XmlDocumentError(
      `${codePrefix}.UNSUPPORTED_ENCODING`,
      `The document declares encoding "${declared}", which cannot be read; use UTF-8.`,
      [{ line: 1, column: 1, detail: `unsupported encoding "${declared}"` }],
    );
  }
  if (decoder.encoding.startsWith('utf-16')) {
    // A UTF-16 document's declaration is itself in UTF-16, so an ASCII one that claims UTF-16 is wrong.
    throw new XmlDocumentError(
      `${codePrefix}.INVALID_ENCODING`,
      `The document declares ${declared} but is not written in it.`,
      [{ line: 1, column: 1, detail: `declared ${declared}, written in an 8-bit encoding` }],
    );
  }
  return decodeWith(declared, bytes, codePrefix);
}

function declaredEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 256).toString('latin1');
  const match = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(head);
  return match?.[1];
}

function decodeWith(encoding: string, bytes: Buffer, codePrefix: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new XmlDocumentError(`${codePrefix}.INVALID_ENCODING`, `The document is not valid ${encoding}.`, [
      { detail: `bytes that are not ${encoding}` },
    ]);
  }
}

function utf8(bytes: Buffer, codePrefix: string): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const offset = firstInvalidUtf8(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const column = bytes.subarray(lineStart, offset).toString('utf8').length + 1;
  throw new XmlDocumentError(
    `${codePrefix}.INVALID_ENCODING`,
    'The document is not valid UTF-8 (mixed or wrong encoding?); declare its encoding or convert it to UTF-8.',
    [
      {
        line,
        column,
        detail: `byte 0x${bytes[offset].toString(16).padStart(2, '0')} at offset ${offset} is not UTF-8`,
      },
    ],
  );
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Maps string offsets to 1-based line and column. */
class Positions {
  private readonly lineStarts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }
  at(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }
}

// Characters XML 1.0 forbids (§2.2): C0 controls but tab, LF and CR; U+FFFE/U+FFFF; lone surrogates.
const FORBIDDEN_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string can be written as XML 1.0 character data. */
export function hasForbiddenXmlChar(text: string): boolean {
  return FORBIDDEN_CHAR.test(text);
}

/** Removes what XML 1.0 cannot carry. */
export function withoutForbiddenXmlChars(text: string): string {
  return text.replace(new RegExp(FORBIDDEN_CHAR.source, 'g'), '');
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by decodeReferences below, never by the parser.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
  maxNestedTags: MAX_DEPTH,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

/**
 * Parses a whole document into its root element. Throws XmlDocumentError (code `<prefix>.DOCTYPE_FORBIDDEN`
 * or `<prefix>.MALFORMED_XML`) with the line and column of the first problem.
 */
export function parseXmlDocument(text: string, codePrefix: string): XmlElement {
  const positions = new Positions(text);
  const malformed = (offset: number | undefined, detail: string): XmlDocumentError =>
    new XmlDocumentError(`${codePrefix}.MALFORMED_XML`, `The document is not well-formed XML: ${detail}`, [
      { ...(offset === undefined ? {} : positions.at(offset)), detail },
    ]);

  const doctype = doctypeOffset(text);
  if (doctype !== undefined) {
    throw new XmlDocumentError(
      `${codePrefix}.DOCTYPE_FORBIDDEN`,
      'The document has a document type declaration (<!DOCTYPE>); ELMO documents have none, and entity declarations are never read.',
      [{ ...positions.at(doctype), detail: '<!DOCTYPE> is not allowed' }],
    );
  }
  const forbidden = FORBIDDEN_CHAR.exec(text);
  if (forbidden) {
    const code = forbidden[0].codePointAt(0) ?? 0;
    throw malformed(
      forbidden.index,
      `character U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
    );
  }
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    throw new XmlDocumentError(`${codePrefix}.MALFORMED_XML`, `The document is not well-formed XML: ${msg}`, [
      { line, ...(col ? { column: col } : {}), detail: msg },
    ]);
  }

  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (err) {
    throw malformed(undefined, err instanceof Error ? err.message : 'unreadable');
  }
  const roots = nodes.filter((node) => elementName(node) !== undefined);
  const strayText = nodes.find((node) => typeof node['#text'] === 'string' && node['#text'].trim() !== '');
  if (roots.length !== 1 || strayText) {
    const second = roots[1] as OrderedNode | undefined;
    const offset = second ? startOf(second) : undefined;
    throw malformed(
      offset,
      `a document has exactly one root element and no text outside it (found ${roots.length})`,
    );
  }
  return toElement(roots[0], '', undefined, positions, malformed);
}

function doctypeOffset(text: string): number | undefined {
  let i = 0;
  for (;;) {
    while (i < text.length && /[\s\uFEFF]/.test(text[i])) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end === -1) return undefined;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) return undefined;
      i = end + 3;
    } else {
      return /^<!DOCTYPE/i.test(text.slice(i, i + 9)) ? i : undefined;
    }
  }
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && key !== '#text' && key !== '#cdata');
}

function startOf(node: OrderedNode): number | undefined {
  const meta = (node as Record<symbol, { startIndex?: number } | undefined>)[META];
  return meta?.startIndex;
}

function toElement(
  node: OrderedNode,
  parentPath: string,
  siblingIndex: number | undefined,
  positions: Positions,
  malformed: (offset: number | undefined, detail: string) => XmlDocumentError,
): XmlElement {
  const qname = elementName(node) as string;
  const offset = startOf(node) ?? 0;
  const { line, column } = positions.at(offset);
  const local = qname.includes(':') ? qname.slice(qname.indexOf(':') + 1) : qname;
  const path = `${parentPath}/${local}${siblingIndex === undefined ? '' : `[${siblingIndex}]`}`;
  const decode = (raw: string): string => {
    try {
      return decodeReferences(raw);
    } catch (err) {
      throw malformed(offset, `in <${qname}>: ${err instanceof Error ? err.message : 'bad reference'}`);
    }
  };

  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(node[':@'] ?? {})) attrs[key] = decode(String(value));

  const content = (node[qname] as OrderedNode[] | undefined) ?? [];
  const childNodes = content.filter((child) => elementName(child) !== undefined);
  const counts = new Map<string, number>();
  for (const child of childNodes) {
    const name = localName(elementName(child) as string);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  const children: XmlElement[] = [];
  let text = '';
  for (const child of content) {
    if (typeof child['#text'] === 'string') {
      text += decode(child['#text']);
      continue;
    }
    const cdata = child['#cdata'] as { '#text'?: string }[] | undefined;
    if (cdata) {
      for (const part of cdata) text += part['#text'] ?? '';
      continue;
    }
    const name = localName(elementName(child) as string);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    children.push(toElement(child, path, (counts.get(name) ?? 0) > 1 ? n : undefined, positions, malformed));
  }
  return { name: local, qname, attrs, children, text, line, column, path };
}

function localName(qname: string): string {
  return qname.includes(':') ? qname.slice(qname.indexOf(':') + 1) : qname;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes XML's predefined entities and character references; anything else is an error (XML 1.0 §4.1). */
export function decodeReferences(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,32});?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`"&" must start a reference such as &amp;`);
    if (name in PREDEFINED) return PREDEFINED[name];
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (!numeric) throw new Error(`undeclared entity &${name};`);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
    const char = code <= 0x10ffff ? String.fromCodePoint(code) : '';
    if (char === '' || (code >= 0xd800 && code <= 0xdfff) || FORBIDDEN_CHAR.test(char)) {
      throw new Error(`character reference ${whole} is not an XML character`);
    }
    return char;
  });
}
