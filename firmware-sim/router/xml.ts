// Just enough XML for SOAP requests: elements, attributes, text, entities, CDATA; comments,
// declarations and processing instructions are skipped. Whitespace inside values is kept (the
// reader trims). Throws XmlError on malformed input.

export interface XmlElement {
  /** As written, with prefix: `u:GetInfo`. */
  readonly name: string;
  readonly localName: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const TAG = /<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const CLOSE = /<\/([A-Za-z_][\w.:-]*)\s*>/y;
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt === -1 ? source.length : lt;
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== '') throw new XmlError('text outside the root element');
    }
    if (lt === -1) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end === -1) throw new XmlError('unterminated comment');
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', i)) {
      const end = source.indexOf(']]>', i + 9);
      if (end === -1) throw new XmlError('unterminated CDATA');
      const top = stack[stack.length - 1];
      if (top) top.text += source.slice(i + 9, end);
      i = end + 3;
    } else if (source.startsWith('<?', i) || source.startsWith('<!', i)) {
      const end = source.indexOf('>', i);
      if (end === -1) throw new XmlError('unterminated declaration');
      i = end + 1;
    } else if (source.startsWith('</', i)) {
      CLOSE.lastIndex = i;
      const m = CLOSE.exec(source);
      const top = stack.pop();
      if (!m || !top || top.name !== m[1]) throw new XmlError(`unexpected closing tag at ${i}`);
      i = CLOSE.lastIndex;
    } else {
      TAG.lastIndex = i;
      const m = TAG.exec(source);
      if (!m) throw new XmlError(`malformed tag at ${i}`);
      const name = m[1]!;
      const attributes: Record<string, string> = {};
      for (const a of (m[2] ?? '').matchAll(ATTR)) attributes[a[1]!] = decodeEntities(a[2] ?? a[3] ?? '');
      const element: XmlElement = { name, localName: name.includes(':') ? name.slice(name.indexOf(':') + 1) : name, attributes, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new XmlError('more than one root element');
      else root = element;
      if (m[3] !== '/') stack.push(element);
      i = TAG.lastIndex;
    }
  }
  if (!root || stack.length > 0) throw new XmlError('incomplete document');
  return root;
}

/** The namespace URI an element's prefix (or default namespace) is bound to, looking up the ancestors. */
export function namespaceOf(element: XmlElement, ancestors: readonly XmlElement[]): string | null {
  const prefix = element.name.includes(':') ? element.name.slice(0, element.name.indexOf(':')) : null;
  const attribute = prefix ? `xmlns:${prefix}` : 'xmlns';
  for (const e of [element, ...[...ancestors].reverse()]) {
    const value = e.attributes[attribute];
    if (value !== undefined) return value;
  }
  return null;
}
