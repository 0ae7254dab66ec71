// SOAP 1.1 as the FRITZ!Box speaks it (HARDWARE.md, AVM's TR-064 "First Steps"): the action is
// named by the SOAPACTION header `<serviceType>#<action>` and by the body's first element;
// answers are `<u:<Action>Response xmlns:u="<serviceType>">` with `New…` elements, errors HTTP
// 500 with a `UPnPError` fault.
import { escapeXml, namespaceOf, parseXml, XmlError, type XmlElement } from './xml.js';

const ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface SoapRequest {
  readonly serviceType: string;
  readonly action: string;
  readonly args: Readonly<Record<string, string>>;
}

/** UPnP error codes the box answers with (UPnP Device Architecture 1.0 §3.2.2, TR-064). */
export const UPNP_ERRORS = {
  401: 'Invalid Action',
  402: 'Invalid Args',
  501: 'Action Failed',
  600: 'Argument Value Invalid',
  606: 'Action not authorized',
  820: 'Internal Error',
} as const;

export type UpnpErrorCode = keyof typeof UPNP_ERRORS;

export class SoapFault extends Error {
  override readonly name = 'SoapFault';
  constructor(readonly code: UpnpErrorCode) {
    super(UPNP_ERRORS[code]);
  }
}

function splitSoapAction(header: string | undefined): { serviceType: string; action: string } | null {
  if (!header) return null;
  const value = header.trim().replace(/^"|"$/g, '');
  const hash = value.lastIndexOf('#');
  if (hash <= 0) return null;
  return { serviceType: value.slice(0, hash), action: value.slice(hash + 1) };
}

/** Parses a SOAP request; throws SoapFault 401 (cannot tell the action) or 402 (bad body). */
export function parseSoapRequest(body: string, soapActionHeader: string | undefined): SoapRequest {
  let envelope: XmlElement;
  try {
    envelope = parseXml(body);
  } catch (error) {
    if (error instanceof XmlError) throw new SoapFault(402);
    throw error;
  }
  const soapBody = envelope.localName === 'Envelope' ? envelope.children.find((c) => c.localName === 'Body') : undefined;
  const actionElement = soapBody?.children[0];
  if (!soapBody || !actionElement || namespaceOf(envelope, []) !== ENVELOPE_NS) throw new SoapFault(402);
  const bodyServiceType = namespaceOf(actionElement, [envelope, soapBody]);
  const header = splitSoapAction(soapActionHeader);
  const serviceType = header?.serviceType ?? bodyServiceType;
  const action = header?.action ?? actionElement.localName;
  if (!serviceType || action !== actionElement.localName) throw new SoapFault(401);
  const args: Record<string, string> = {};
  for (const child of actionElement.children) args[child.localName] = child.text.trim();
  return { serviceType, action, args };
}

const envelope = (inner: string): string =>
  `<?xml version="1.0"?>\n<s:Envelope xmlns:s="${ENVELOPE_NS}" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n<s:Body>\n${inner}\n</s:Body>\n</s:Envelope>\n`;

export function soapResponse(serviceType: string, action: string, out: Readonly<Record<string, string | number | boolean>>): string {
  const args = Object.entries(out)
    .map(([name, value]) => `<${name}>${escapeXml(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}</${name}>`)
    .join('\n');
  return envelope(`<u:${action}Response xmlns:u="${escapeXml(serviceType)}">\n${args}\n</u:${action}Response>`);
}

export function soapFault(code: UpnpErrorCode): string {
  return envelope(
    `<s:Fault>\n<faultcode>s:Client</faultcode>\n<faultstring>UPnPError</faultstring>\n<detail>\n<UPnPError xmlns="urn:schemas-upnp-org:control-1-0">\n<errorCode>${code}</errorCode>\n<errorDescription>${UPNP_ERRORS[code]}</errorDescription>\n</UPnPError>\n</detail>\n</s:Fault>`,
  );
}
