// SOAP 1.1 for TR-064: the request envelope, the response's out arguments, UPnP faults and the
// description document. The documents are small and regular, so a tolerant element scanner
// does (namespace prefixes ignored, whitespace around values trimmed, entities decoded).

export interface Tr064Service {
  readonly serviceType: string;
  readonly controlUrl: string;
  readonly scpdUrl: string | null;
}

export interface UpnpFault {
  readonly errorCode: number | null;
  readonly errorDescription: string;
}

export function soapEnvelope(serviceType: string, action: string, args: Readonly<Record<string, string | number>> = {}): string {
  const body = Object.entries(args)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${body}</u:${action}></s:Body></s:Envelope>`
  );
}

/** The out arguments of `<u:{action}Response>`, by name; null when the response is not there. */
export function parseSoapResponse(xml: string, action: string): Record<string, string> | null {
  const inner = elementContent(xml, `${action}Response`);
  if (inner === null) return null;
  const out: Record<string, string> = {};
  for (const child of childElements(inner)) out[child.name] = child.text;
  return out;
}

/** A SOAP fault's UPnPError detail, or null when the document holds no fault. */
export function parseSoapFault(xml: string): UpnpFault | null {
  const fault = elementContent(xml, 'Fault');
  if (fault === null) return null;
  const code = elementContent(fault, 'errorCode');
  const parsed = code === null ? NaN : Number.parseInt(decodeEntities(code).trim(), 10);
  const description = elementContent(fault, 'errorDescription') ?? elementContent(fault, 'faultstring') ?? 'SOAP fault';
  return { errorCode: Number.isFinite(parsed) ? parsed : null, errorDescription: decodeEntities(description).trim() };
}

/** Every `<service>` of a TR-064 description document (`tr64desc.xml`), nested devices included. */
export function parseDescription(xml: string): Tr064Service[] {
  const services: Tr064Service[] = [];
  for (const block of allElementContents(xml, 'service')) {
    const serviceType = textOf(block, 'serviceType');
    const controlUrl = textOf(block, 'controlURL');
    if (!serviceType || !controlUrl) continue;
    services.push({ serviceType, controlUrl, scpdUrl: textOf(block, 'SCPDURL') });
  }
  return services;
}

function textOf(xml: string, name: string): string | null {
  const content = elementContent(xml, name);
  return content === null ? null : decodeEntities(content).trim();
}

const NAME = '(?:[A-Za-z_][\\w.-]*:)?';

/** The content of the first element with local name `name` (any namespace prefix). */
function elementContent(xml: string, name: string): string | null {
  const [full, empty] = elementPatterns(name);
  const match = full.exec(xml);
  if (match) return match[1]!;
  return empty.test(xml) ? '' : null;
}

// The same few names are looked up 8 times a second by the line poll: their patterns are built once.
const patterns = new Map<string, readonly [RegExp, RegExp]>();
function elementPatterns(name: string): readonly [RegExp, RegExp] {
  let found = patterns.get(name);
  if (found === undefined) {
    found = [
      new RegExp(`<${NAME}${escapeRe(name)}(?:\\s[^>]*)?>([\\s\\S]*?)</${NAME}${escapeRe(name)}\\s*>`),
      new RegExp(`<${NAME}${escapeRe(name)}(?:\\s[^>]*)?/>`),
    ];
    if (patterns.size < 256) patterns.set(name, found);
  }
  return found;
}

function allElementContents(xml: string, name: string): string[] {
  const re = new RegExp(`<${NAME}${escapeRe(name)}(?:\\s[^>]*)?>([\\s\\S]*?)</${NAME}${escapeRe(name)}\\s*>`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1]!);
}

/** Direct children `<Name>text</Name>` or `<Name/>` of a flat element such as an action response. */
function childElements(xml: string): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  const re = /<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/(?:[A-Za-z_][\w.-]*:)?\1\s*>)/g;
  for (const match of xml.matchAll(re)) out.push({ name: match[1]!, text: decodeEntities(match[2] ?? '').trim() });
  return out;
}

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    switch (entity) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = entity.startsWith('#x') ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
      }
    }
  });
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
