// A small TR-064 client for the simulator's tests: real HTTP, HTTP Digest (RFC 7616, MD5,
// qop=auth) answered from the server's challenge, SOAP 1.1 envelopes as AVM documents them.
// Written here, independently of the simulator, so the two cannot share a mistake.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';

export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export function httpRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.timeoutMs !== undefined) req.setTimeout(options.timeoutMs, () => req.destroy(new Error('client timeout')));
    req.end(options.body);
  });
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Parses a `WWW-Authenticate: Digest …` challenge. */
export function parseChallenge(header: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) fields[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return fields;
}

export function digestAuthorization(challenge: Record<string, string>, user: string, password: string, method: string, uri: string): string {
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${user}:${challenge['realm']}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${challenge['nonce']}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${challenge['realm']}", nonce="${challenge['nonce']}", uri="${uri}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
}

export function envelope(serviceType: string, action: string, args: Record<string, string> = {}): string {
  const inner = Object.entries(args)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:${action} xmlns:u="${serviceType}">${inner}</u:${action}></s:Body></s:Envelope>`;
}

export interface SoapCall {
  readonly baseUrl: string;
  readonly controlUrl: string;
  readonly serviceType: string;
  readonly action: string;
  readonly args?: Record<string, string>;
  /** null = send no Authorization at all. */
  readonly credentials: { user: string; password: string } | null;
  readonly body?: string;
  readonly timeoutMs?: number;
}

/** POSTs a SOAP action; answers the digest challenge once. */
export async function soap(call: SoapCall): Promise<HttpResult> {
  const url = `${call.baseUrl}${call.controlUrl}`;
  const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset="utf-8"', SOAPACTION: `"${call.serviceType}#${call.action}"` };
  const body = call.body ?? envelope(call.serviceType, call.action, call.args);
  const first = await httpRequest(url, { method: 'POST', headers, body, timeoutMs: call.timeoutMs });
  if (first.status !== 401 || !call.credentials) return first;
  const challenge = parseChallenge(String(first.headers['www-authenticate'] ?? ''));
  const authorization = digestAuthorization(challenge, call.credentials.user, call.credentials.password, 'POST', call.controlUrl);
  return httpRequest(url, { method: 'POST', headers: { ...headers, Authorization: authorization }, body, timeoutMs: call.timeoutMs });
}

/** The text of every `<name>` element in a SOAP answer (whitespace trimmed). */
export function field(body: string, name: string): string | undefined {
  const m = new RegExp(`<(?:\\w+:)?${name}>([\\s\\S]*?)</(?:\\w+:)?${name}>`).exec(body);
  return m?.[1]?.trim();
}

export const SERVICES = {
  deviceInfo: { controlUrl: '/upnp/control/deviceinfo', serviceType: 'urn:dslforum-org:service:DeviceInfo:1' },
  wanCommon: { controlUrl: '/upnp/control/wancommonifconfig1', serviceType: 'urn:dslforum-org:service:WANCommonInterfaceConfig:1' },
  wanDsl: { controlUrl: '/upnp/control/wandslifconfig1', serviceType: 'urn:dslforum-org:service:WANDSLInterfaceConfig:1' },
  wanPpp: { controlUrl: '/upnp/control/wanpppconn1', serviceType: 'urn:dslforum-org:service:WANPPPConnection:1' },
  igdCommon: { controlUrl: '/igdupnp/control/WANCommonIFC1', serviceType: 'urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1' },
} as const;
