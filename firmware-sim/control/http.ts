// The control interface over HTTP (JSON), for the demo and black-box tests. Bound to loopback;
// the agent never uses it.
//   GET  /state                 router line, stick snapshot, device path, data plane links
//   GET  /stick/commands        AT command lines received
//   GET  /router/requests       SOAP calls received
//   POST /control               {"action": "...", ...}  (see actions.ts)
//   POST /control/<action>      the same, the action in the path
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Simulator } from '../index.js';
import { SimulatorError } from '../errors.js';
import { applyControl, ControlCommandSchema } from './actions.js';

const MAX_BODY = 64 * 1024;

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  json(res, status, { type: `urn:serviceplus:sim:${code}`, title: code, status, detail });
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let body = '';
    let size = 0;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      size += Buffer.byteLength(chunk);
      if (size <= MAX_BODY) body += chunk;
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : body));
    req.on('error', () => resolve(null));
  });
}

function state(sim: Simulator): unknown {
  return {
    router: sim.router ? { url: sim.router.url, username: sim.router.username, model: sim.router.model, firmware: sim.router.firmware, line: sim.router.line() } : null,
    stick: sim.stick ? { devicePath: sim.stick.devicePath, ...sim.stick.snapshot() } : null,
    dataPlane: sim.dataPlane ? { namespaces: sim.dataPlane.namespaces, carrier: sim.dataPlane.carrier() } : null,
  };
}

async function route(sim: Simulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'GET' && path === '/state') return json(res, 200, state(sim));
  if (req.method === 'GET' && path === '/stick/commands') return json(res, 200, { commands: sim.stick?.commands() ?? [] });
  if (req.method === 'GET' && path === '/router/requests') return json(res, 200, { requests: sim.router?.requests() ?? [] });
  const m = /^\/control(?:\/([a-z-]+))?$/.exec(path);
  if (req.method !== 'POST' || !m) return problem(res, 404, 'not-found', `no ${req.method ?? ''} ${path}`);
  const text = await readBody(req);
  if (text === null) return problem(res, 413, 'too-large', 'body over 64 KiB');
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return problem(res, 400, 'bad-json', 'the body is not JSON');
  }
  const candidate = m[1] && body && typeof body === 'object' ? { ...body, action: m[1] } : body;
  const parsed = ControlCommandSchema.safeParse(candidate);
  if (!parsed.success) return problem(res, 400, 'bad-command', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  try {
    await applyControl(sim, parsed.data);
  } catch (error) {
    if (error instanceof SimulatorError) return problem(res, error.code === 'BAD_ARGUMENT' ? 400 : 409, error.code.toLowerCase().replace(/_/g, '-'), error.message);
    throw error;
  }
  json(res, 200, { ok: true, state: state(sim) });
}

export async function startControlServer(sim: Simulator, options: { host?: string; port?: number }): Promise<ControlServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    route(sim, req, res).catch((error: unknown) => {
      if (!res.headersSent) problem(res, 500, 'internal', error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
