// A small TR-064 client: the description document, SOAP actions over HTTP with digest auth on a
// kept-alive connection, every failure turned into a typed AgentError.
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { AgentError, describeError } from '../errors.js';
import { DigestSession, parseDigestChallenge } from './digest.js';
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

interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const MAX_BODY_BYTES = 512 * 1024;

export class Tr064Client {
  private readonly base: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4, keepAliveMsecs: 10_000 });
  private session: DigestSession | null = null;
  private services: readonly Tr064Service[] | null = null;

  constructor(private readonly options: Tr064ClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:') throw new TypeError(`routerUrl must be http:// (got ${this.base.protocol})`);
  }

  /** The services the box describes in `/tr64desc.xml` (read once, then cached). */
  async describe(): Promise<readonly Tr064Service[]> {
    if (this.services) return this.services;
    const reply = await this.exchange('GET', '/tr64desc.xml', null, {});
    if (reply.status !== 200) throw new AgentError('router-fault', `GET /tr64desc.xml: HTTP ${reply.status}`);
    const services = parseDescription(reply.body);
    if (services.length === 0) throw new AgentError('router-fault', '/tr64desc.xml lists no services');
    this.services = services;
    return services;
  }

  /** Whether the box offers a service type (exact, e.g. `urn:dslforum-org:service:WANPPPConnection:1`). */
  async has(serviceType: string): Promise<boolean> {
    return (await this.describe()).some((s) => s.serviceType === serviceType);
  }

  /** Calls one SOAP action and returns its out arguments by name (`NewModelName` → text). */
  async call(serviceType: string, action: string, args: Readonly<Record<string, string | number>> = {}): Promise<Record<string, string>> {
    const service = (await this.describe()).find((s) => s.serviceType === serviceType);
    if (!service) throw new AgentError('router-service-missing', `the router does not offer ${serviceType}`);
    const reply = await this.exchange('POST', service.controlUrl, soapEnvelope(serviceType, action, args), {
      'content-type': 'text/xml; charset="utf-8"',
      soapaction: `${serviceType}#${action}`,
    });
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

  close(): void {
    this.agent.destroy();
  }

  /** One request, answering a digest challenge once (a stale nonce or the first contact). */
  private async exchange(method: string, path: string, body: string | null, headers: Record<string, string>): Promise<HttpReply> {
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

  private send(method: string, path: string, body: string | null, headers: Record<string, string>): Promise<HttpReply> {
    const url = new URL(path, this.base);
    const requestHeaders: Record<string, string> = { ...headers, connection: 'keep-alive' };
    if (body !== null) requestHeaders['content-length'] = String(Buffer.byteLength(body));
    if (this.session) requestHeaders['authorization'] = this.session.authorization(method, url.pathname + url.search);
    return new Promise<HttpReply>((resolve, reject) => {
      const fail = (error: unknown) =>
        reject(error instanceof AgentError ? error : new AgentError('router-unreachable', `${method} ${url.pathname}: ${describeError(error)}`, { cause: error }));
      const req = request(url, { method, headers: requestHeaders, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(new AgentError('router-fault', `${method} ${url.pathname}: response larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      req.end(body ?? undefined);
    });
  }
}
