// A small TR-064 client: the description document, SOAP actions over HTTP with digest auth on a
// kept-alive connection (http-connection.ts), every failure turned into a typed AgentError.
import { AgentError, describeError } from '../errors.js';
import { DigestSession, parseDigestChallenge } from './digest.js';
import { KeepAliveHttp, type HttpReply } from './http-connection.js';
import { parseDescription, parseSoapFault, parseSoapResponse, soapEnvelope, type Tr064Service } from './soap.js';

export interface Tr064ClientOptions {
  /** `http://192.168.178.1:49000` */
  readonly url: string;
  /** Empty for the legacy dslf-config login of FRITZ!OS before 7.24. */
  readonly username: string;
  readonly password: string;
  /** Per request, connection included. */
  readonly timeoutMs: number;
}

const MAX_BODY_BYTES = 512 * 1024;
const GET_HEADERS: Readonly<Record<string, string>> = { connection: 'keep-alive' };

export class Tr064Client {
  private readonly base: URL;
  private readonly http: KeepAliveHttp;
  private session: DigestSession | null = null;
  private services: readonly Tr064Service[] | null = null;
  /** The first service of each type (what `find` would give), for the polls. */
  private byType: Map<string, Tr064Service> | null = null;
  private readonly envelopes = new Map<string, string>();
  private readonly headers = new Map<string, Readonly<Record<string, string>>>();

  constructor(private readonly options: Tr064ClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:') throw new TypeError(`routerUrl must be http:// (got ${this.base.protocol})`);
    this.http = new KeepAliveHttp(this.base.hostname.replace(/^\[|\]$/g, ''), Number(this.base.port || 80));
  }

  /** The services the box describes in `/tr64desc.xml` (read once, then cached). */
  async describe(): Promise<readonly Tr064Service[]> {
    if (this.services) return this.services;
    const reply = await this.exchange('GET', '/tr64desc.xml', null, GET_HEADERS);
    if (reply.status !== 200) throw new AgentError('router-fault', `GET /tr64desc.xml: HTTP ${reply.status}`);
    // Each control URL as the path (and query) requests go to on this box, percent-encoded by URL.
    const services = parseDescription(reply.body).map((s) => {
      const url = new URL(s.controlUrl, this.base);
      return { ...s, controlUrl: url.pathname + url.search };
    });
    if (services.length === 0) throw new AgentError('router-fault', '/tr64desc.xml lists no services');
    this.services = services;
    this.byType = new Map([...services].reverse().map((s) => [s.serviceType, s]));
    return services;
  }

  /** Whether the box offers a service type (exact, e.g. `urn:dslforum-org:service:WANPPPConnection:1`). */
  async has(serviceType: string): Promise<boolean> {
    return (await this.describe()).some((s) => s.serviceType === serviceType);
  }

  /** Calls one SOAP action and returns its out arguments by name (`NewModelName` → text). */
  async call(serviceType: string, action: string, args: Readonly<Record<string, string | number>> = {}): Promise<Record<string, string>> {
    const service = this.byType?.get(serviceType) ?? (await this.describe()).find((s) => s.serviceType === serviceType);
    if (!service) throw new AgentError('router-service-missing', `the router does not offer ${serviceType}`);
    const reply = await this.exchange('POST', service.controlUrl, this.envelope(serviceType, action, args), this.soapHeaders(serviceType, action));
    if (reply.status === 200) {
      const out = parseSoapResponse(reply.body, action);
      if (out) return out;
      throw new AgentError('router-fault', `${action}: the response holds no ${action}Response`);
    }
    const fault = parseSoapFault(reply.body);
    if (fault) {
      throw new AgentError('router-fault', `${action}: UPnPError ${fault.errorCode ?? '?'} ${fault.errorDescription} (HTTP ${reply.status})`);
    }
    throw new AgentError('router-fault', `${action}: HTTP ${reply.status}`);
  }

  /** The same object per action (the HTTP client keeps its text). */
  private soapHeaders(serviceType: string, action: string): Readonly<Record<string, string>> {
    const key = `${serviceType}#${action}`;
    let headers = this.headers.get(key);
    if (headers === undefined) {
      headers = { 'content-type': 'text/xml; charset="utf-8"', soapaction: key, connection: 'keep-alive' };
      if (this.headers.size < 64) this.headers.set(key, headers);
    }
    return headers;
  }

  /** The request body; the argument-less ones the polls send are built once. */
  private envelope(serviceType: string, action: string, args: Readonly<Record<string, string | number>>): string {
    if (Object.keys(args).length > 0) return soapEnvelope(serviceType, action, args);
    const key = `${serviceType}#${action}`;
    let body = this.envelopes.get(key);
    if (body === undefined) {
      body = soapEnvelope(serviceType, action);
      if (this.envelopes.size < 64) this.envelopes.set(key, body);
    }
    return body;
  }

  close(): void {
    this.http.close();
  }

  /** One request, answering a digest challenge once (a stale nonce or the first contact). */
  private async exchange(method: string, path: string, body: string | null, headers: Readonly<Record<string, string>>): Promise<HttpReply> {
    const first = await this.send(method, path, body, headers);
    if (first.status !== 401) return first;
    const challenge = parseDigestChallenge(first.headers['www-authenticate']);
    if (!challenge) throw new AgentError('router-auth', `${method} ${path}: HTTP 401 without a digest challenge`);
    const hadSession = this.session !== null;
    this.session = new DigestSession(challenge, this.options.username, this.options.password);
    const second = await this.send(method, path, body, headers);
    if (second.status === 401) {
      this.session = null;
      const again = parseDigestChallenge(second.headers['www-authenticate']);
      // A session whose nonce went stale between the two requests gets one more chance.
      if (hadSession && again?.stale) return this.exchange(method, path, body, headers);
      throw new AgentError('router-auth', `${method} ${path}: the router refused the credentials for user "${this.options.username}"`);
    }
    return second;
  }

  private async send(method: string, path: string, body: string | null, headers: Readonly<Record<string, string>>): Promise<HttpReply> {
    const authorization = this.session?.authorization(method, path);
    try {
      return await this.http.request({ method, path, headers, authorization, body, timeoutMs: this.options.timeoutMs, maxBodyBytes: MAX_BODY_BYTES });
    } catch (error) {
      throw new AgentError('router-unreachable', `${method} ${path}: ${describeError(error)}`, { cause: error });
    }
  }
}
