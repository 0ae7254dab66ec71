// The simulated FRITZ!Box: an HTTP server answering TR-064 (digest-protected SOAP), the IGD
// subset (no auth) and the description documents, over the simulated DSL line.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DslLineState, RouterLineSnapshot, RouterOptions, RouterRequestRecord, SimClock, SimLogger, SimRouter } from '../index.js';
import { SimulatorError } from '../errors.js';
import { igdDescription, scpd, tr64Description } from './description.js';
import { DigestAuth } from './digest.js';
import { DslLine } from './line.js';
import { ALL_SERVICES, type BoxInfo, type ServiceSpec } from './services.js';
import { parseSoapRequest, SoapFault, soapFault, soapResponse } from './soap.js';

const LINE_STATES: readonly DslLineState[] = ['up', 'down', 'training', 'no-internet'];
const MAX_BODY = 64 * 1024;
const XML = 'text/xml; charset="utf-8"';

/** FRITZ!OS 7.24 and later want a real user name (HARDWARE.md). */
function legacyFirmware(firmware: string): boolean {
  const [, major = '0', minor = '0'] = firmware.split('.');
  return Number(major) * 100 + Number(minor) < 724;
}

function randomPassword(): string {
  return randomBytes(12).toString('base64url').slice(0, 16);
}

export class Router implements SimRouter {
  readonly username: string;
  readonly password: string;
  readonly model: string;
  readonly firmware: string;
  private readonly dsl: DslLine;
  private readonly box: BoxInfo;
  private readonly auth: DigestAuth;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  /** Every request, recorded on arrival; status is filled in when answered. */
  private readonly log: Array<{ -readonly [K in keyof RouterRequestRecord]: RouterRequestRecord[K] }> = [];
  private reachable: 'yes' | 'timeout' | 'refused' = 'yes';
  private answerDelayMs = 0;
  private host: string;
  private port: number;

  constructor(
    options: RouterOptions,
    private readonly clock: SimClock,
    private readonly logger: SimLogger | undefined,
  ) {
    this.model = options.model ?? 'FRITZ!Box 7490';
    this.firmware = options.firmware ?? '113.07.29';
    this.username = options.username ?? 'admin';
    this.password = options.password ?? randomPassword();
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.dsl = new DslLine(clock, options.line ?? 'up', options.syncRates ?? { downKbps: 50000, upKbps: 10000 });
    this.box = {
      model: this.model,
      firmware: this.firmware,
      serialNumber: '3431C4A1B2C3',
      startedAt: clock.now(),
      externalIp: '203.0.113.17',
      now: () => clock.now(),
    };
    this.auth = new DigestAuth(
      { username: this.username, password: this.password, allowEmptyUser: options.legacyEmptyUser ?? legacyFirmware(this.firmware) },
      () => clock.now(),
    );
    this.server = createServer((req, res) => {
      try {
        this.handle(req, res);
      } catch (error) {
        this.logger?.warn({ error: error instanceof Error ? error.message : String(error) }, 'router: request failed');
        if (!res.headersSent) res.writeHead(500).end();
      }
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.dsl.stopFlapping();
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── Control ──────────────────────────────────────────────────────────────────────────────

  setLine(state: DslLineState): void {
    if (!LINE_STATES.includes(state)) throw new SimulatorError('BAD_ARGUMENT', `unknown line state ${String(state)}`);
    this.dsl.set(state);
    this.logger?.info({ state }, 'router: DSL line');
  }

  flap(periodMs: number): void {
    if (!Number.isFinite(periodMs) || periodMs < 2) throw new SimulatorError('BAD_ARGUMENT', `flapping period must be ≥ 2 ms, got ${periodMs}`);
    this.dsl.flap(periodMs);
    this.logger?.info({ periodMs }, 'router: DSL line flapping');
  }

  line(): RouterLineSnapshot {
    return this.dsl.snapshot();
  }

  /** For the simulator's data plane (not on SimRouter): each new line state. */
  onLineChange(listener: (state: DslLineState) => void): () => void {
    return this.dsl.onChange(listener);
  }

  async setReachable(reachable: boolean, mode: 'timeout' | 'refused' = 'timeout'): Promise<void> {
    if (reachable) {
      for (const res of this.hanging) res.destroy(); // connections of the outage are dead
      this.hanging.clear();
      if (!this.server.listening) await this.listen();
      this.reachable = 'yes';
      return;
    }
    this.reachable = mode;
    if (mode === 'refused') {
      for (const socket of this.sockets) socket.destroy();
      if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }
  }

  setAnswerDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new SimulatorError('BAD_ARGUMENT', `delay must be ≥ 0 ms, got ${ms}`);
    this.answerDelayMs = ms;
  }

  addWanTraffic(bytes: { sent?: number; received?: number }): void {
    for (const value of [bytes.sent, bytes.received]) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new SimulatorError('BAD_ARGUMENT', 'bytes must be whole numbers ≥ 0');
    }
    this.dsl.bytesSent += bytes.sent ?? 0;
    this.dsl.bytesReceived += bytes.received ?? 0;
  }

  requests(): readonly RouterRequestRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  // ── HTTP ─────────────────────────────────────────────────────────────────────────────────

  private send(res: ServerResponse, record: { status: number }, status: number, body: string, headers: Record<string, string> = {}): void {
    const finish = (): void => {
      if (res.destroyed) return;
      record.status = status;
      res.writeHead(status, { 'Content-Type': XML, Server: `${this.model} UPnP/1.0 AVM ${this.model} ${this.firmware}`, ...headers });
      res.end(body);
    };
    if (this.answerDelayMs > 0) this.clock.setTimeout(finish, this.answerDelayMs);
    else finish();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const soapAction = typeof req.headers['soapaction'] === 'string' ? req.headers['soapaction'] : null;
    const record = { at: this.clock.now(), path, soapAction, status: 0 };
    this.log.push(record);
    if (this.reachable !== 'yes') {
      // A box gone from the LAN answers nothing; the connection stays open until it is back.
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      req.resume();
      return;
    }
    if (req.method === 'GET') {
      this.describe(path, res, record);
      req.resume();
      return;
    }
    const service = ALL_SERVICES.find((s) => s.controlUrl === path);
    if (req.method !== 'POST' || !service) {
      this.send(res, record, 404, '<html><body>404 Not Found</body></html>', { 'Content-Type': 'text/html' });
      req.resume();
      return;
    }
    let body = '';
    let size = 0;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      size += Buffer.byteLength(chunk);
      if (size <= MAX_BODY) body += chunk;
    });
    req.on('end', () => {
      if (size > MAX_BODY) return this.send(res, record, 413, '<html><body>413 Request Entity Too Large</body></html>', { 'Content-Type': 'text/html' });
      this.control(service, req, body, res, record);
    });
  }

  private describe(path: string, res: ServerResponse, record: { status: number }): void {
    if (path === '/tr64desc.xml') return this.send(res, record, 200, tr64Description(this.box));
    if (path === '/igddesc.xml') return this.send(res, record, 200, igdDescription(this.box));
    const service = ALL_SERVICES.find((s) => s.scpdUrl === path);
    if (service) {
      const sample = (action: string): Record<string, unknown> => ({ ...service.actions[action]!.run({ box: this.box, line: this.dsl, args: {} }) });
      return this.send(res, record, 200, scpd(service, this.box, sample));
    }
    this.send(res, record, 404, '<html><body>404 Not Found</body></html>', { 'Content-Type': 'text/html' });
  }

  private control(service: ServiceSpec, req: IncomingMessage, body: string, res: ServerResponse, record: { path: string; soapAction: string | null; status: number }): void {
    if (service.auth) {
      const verdict = this.auth.verify(req.method ?? 'POST', req.url ?? '', req.headers['authorization']);
      if (!verdict.ok) {
        this.logger?.debug({ path: record.path }, 'router: 401');
        return this.send(res, record, 401, '<html><body>401 Unauthorized</body></html>', { 'Content-Type': 'text/html', 'WWW-Authenticate': this.auth.challenge(verdict.stale) });
      }
    }
    try {
      const request = parseSoapRequest(body, record.soapAction ?? undefined);
      const action = request.serviceType === service.serviceType ? service.actions[request.action] : undefined;
      if (!action) throw new SoapFault(401);
      if (action.in.some((name) => request.args[name] === undefined)) throw new SoapFault(402);
      const out = action.run({ box: this.box, line: this.dsl, args: request.args });
      this.send(res, record, 200, soapResponse(service.serviceType, request.action, out));
    } catch (error) {
      const fault = error instanceof SoapFault ? error : new SoapFault(820);
      this.send(res, record, 500, soapFault(fault.code));
    }
  }
}
