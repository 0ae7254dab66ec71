// A small HTTP/1.1 client for one host on kept-alive TCP connections, for the TR-064 line poll
// (up to 8 requests a second). node:http's ClientRequest, Agent and IncomingMessage stream
// cost about 1 ms of CPU per request in lite mode; this writes each request as one string and
// reads the answer straight off the socket: Content-Length, chunked, or until close.
import { connect, type Socket } from 'node:net';

export interface HttpReply {
  readonly status: number;
  /** Lower-case names; a header sent more than once keeps every value. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: string;
}

export interface HttpRequest {
  readonly method: string;
  /** Path and query, e.g. `/upnp/control/wancommonifconfig1`. */
  readonly path: string;
  /** Header fields besides host, content-length and authorization; pass the same object for the same fields (its text is kept). */
  readonly headers: Readonly<Record<string, string>>;
  readonly authorization?: string | undefined;
  readonly body: string | null;
  readonly timeoutMs: number;
  /** Larger answers fail the request. */
  readonly maxBodyBytes: number;
}

/** A failure of the exchange itself (connect, timeout, a malformed answer), not an HTTP status. */
export class HttpError extends Error {
  override name = 'HttpError';
}

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 16 * 1024;

export class KeepAliveHttp {
  private readonly idle: Connection[] = [];
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    /** Connections kept open between requests. */
    private readonly maxIdle = 4,
  ) {}

  async request(req: HttpRequest): Promise<HttpReply> {
    const text = requestText(this.host, this.port, req);
    const reused = this.take();
    if (reused) {
      try {
        return await reused.exchange(text, req);
      } catch (error) {
        // The box closed a kept-alive connection just as we wrote on it: once more on a new one.
        if (!(error instanceof StaleConnection)) throw error;
      }
    }
    if (this.closed) throw new HttpError('client closed');
    return new Connection(this.host, this.port, (c) => this.park(c), (c) => this.drop(c)).exchange(text, req);
  }

  /** Closes every kept connection; later requests fail. */
  close(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.destroy();
  }

  private take(): Connection | null {
    let connection: Connection | undefined;
    while ((connection = this.idle.pop()) !== undefined) {
      if (connection.usable()) return connection;
      connection.destroy();
    }
    return null;
  }

  /** Keeps an answered connection for the next request. */
  private park(connection: Connection): void {
    if (this.closed || this.idle.length >= this.maxIdle) connection.destroy();
    else this.idle.push(connection);
  }

  private drop(connection: Connection): void {
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
  }
}

interface Pending {
  readonly reader: ReplyReader;
  readonly reused: boolean;
  received: boolean;
  readonly resolve: (reply: HttpReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One TCP connection, its listeners attached once: a request at a time, idle (unreferenced) between. */
class Connection {
  private readonly socket: Socket;
  private pending: Pending | null = null;
  private used = false;

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.socket = connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new HttpError('connection closed before the answer was complete')));
  }

  usable(): boolean {
    return !this.socket.destroyed && this.socket.readyState === 'open';
  }

  destroy(): void {
    this.socket.destroy();
  }

  exchange(text: string, req: HttpRequest): Promise<HttpReply> {
    const reused = this.used;
    this.used = true;
    this.socket.ref();
    return new Promise<HttpReply>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new HttpError(`no answer within ${req.timeoutMs} ms`), true), req.timeoutMs);
      this.pending = { reader: new ReplyReader(req.maxBodyBytes, req.method === 'HEAD'), reused, received: false, resolve, reject, timer };
      this.socket.write(text);
    });
  }

  private onData(chunk: Buffer): void {
    const pending = this.pending;
    if (!pending) {
      this.fail(new HttpError('data between requests')); // nothing may arrive while idle
      return;
    }
    pending.received = true;
    let reply: HttpReply | null;
    try {
      reply = pending.reader.push(chunk);
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (reply) this.done(pending, reply);
  }

  private onEnd(): void {
    const pending = this.pending;
    let reply: HttpReply | null = null;
    try {
      reply = pending ? pending.reader.end() : null;
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    if (pending && reply) this.done(pending, reply);
    else this.fail(new HttpError('connection closed before the answer was complete'));
  }

  private done(pending: Pending, reply: HttpReply): void {
    clearTimeout(pending.timer);
    this.pending = null;
    if (pending.reader.reusable) {
      this.socket.unref(); // an idle connection never holds the process
      this.onIdle(this);
    } else this.gone();
    pending.resolve(reply);
  }

  /** Ends the connection; the request in flight, if any, fails (as stale when nothing came back on a reused one). */
  private fail(error: Error, timedOut = false): void {
    this.gone();
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.reject(pending.reused && !pending.received && !timedOut ? new StaleConnection(error.message) : error);
  }

  private gone(): void {
    this.onGone(this);
    this.socket.destroy();
  }
}

/** Nothing came back on a reused connection: it was closed under us; safe to send again. */
class StaleConnection extends HttpError {}

const headerText = new WeakMap<object, string>();

function requestText(host: string, port: number, req: HttpRequest): string {
  let fields = headerText.get(req.headers);
  if (fields === undefined) {
    fields = '';
    for (const [name, value] of Object.entries(req.headers)) {
      if (/[\r\n]/.test(name + value)) throw new HttpError(`header ${name.slice(0, 40)} holds a line break`);
      fields += `${name}: ${value}\r\n`;
    }
    headerText.set(req.headers, fields);
  }
  if (/[\s]/.test(req.method + req.path) || (req.authorization !== undefined && /[\r\n]/.test(req.authorization))) {
    throw new HttpError('request line or authorization holds white space or a line break');
  }
  let text = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${host}:${port}\r\n${fields}`;
  if (req.authorization !== undefined) text += `authorization: ${req.authorization}\r\n`;
  if (req.body !== null) text += `content-length: ${Buffer.byteLength(req.body)}\r\n`;
  return req.body === null ? `${text}\r\n` : `${text}\r\n${req.body}`;
}

/** Reads one answer out of the bytes as they arrive. */
export class ReplyReader {
  private buffer: Buffer = Buffer.alloc(0);
  private head: { status: number; headers: Record<string, string | string[]>; keepAlive: boolean } | null = null;
  private length: number | 'chunked' | 'close' = 'close';
  /** Whether the connection can carry the next request once the answer is complete. */
  reusable = false;

  constructor(
    private readonly maxBodyBytes: number,
    private readonly noBody = false,
  ) {}

  /** The complete answer once these bytes finish it, else null. Throws on a malformed or oversized answer. */
  push(chunk: Buffer): HttpReply | null {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.head === null) {
      const end = this.buffer.indexOf(HEAD_END);
      if (end < 0) {
        if (this.buffer.length > MAX_HEAD_BYTES) throw new HttpError('response head too large');
        return null;
      }
      const head = parseHead(this.buffer.toString('latin1', 0, end));
      this.buffer = this.buffer.subarray(end + HEAD_END.length);
      if (head.status >= 100 && head.status < 200) continue; // 100 Continue and friends: the real answer follows
      this.head = head;
      const encoding = header(head.headers, 'transfer-encoding');
      const length = header(head.headers, 'content-length');
      if (this.noBody || head.status === 204 || head.status === 304) this.length = 0;
      else if (encoding !== undefined && encoding.toLowerCase().includes('chunked')) this.length = 'chunked';
      else if (length !== undefined) {
        if (!/^\d+$/.test(length.trim())) throw new HttpError(`bad content-length "${length.slice(0, 20)}"`);
        this.length = Number(length.trim());
      } else this.length = 'close';
    }
    if (typeof this.length === 'number') {
      if (this.length > this.maxBodyBytes) throw new HttpError(`response larger than ${this.maxBodyBytes} bytes`);
      if (this.buffer.length < this.length) return null;
      return this.complete(this.buffer.subarray(0, this.length), this.buffer.length === this.length);
    }
    if (this.buffer.length > this.maxBodyBytes + MAX_HEAD_BYTES) throw new HttpError(`response larger than ${this.maxBodyBytes} bytes`);
    if (this.length === 'chunked') {
      const body = dechunk(this.buffer, this.maxBodyBytes);
      return body === null ? null : this.complete(body.body, body.rest === 0);
    }
    return null; // until the server closes
  }

  /** The server closed: the answer read until close, or null when it was cut short. */
  end(): HttpReply | null {
    if (this.head === null || this.length !== 'close') return null;
    if (this.buffer.length > this.maxBodyBytes) throw new HttpError(`response larger than ${this.maxBodyBytes} bytes`);
    return this.complete(this.buffer, false);
  }

  private complete(body: Buffer, nothingAfter: boolean): HttpReply {
    const head = this.head!;
    this.reusable = head.keepAlive && this.length !== 'close' && nothingAfter;
    return { status: head.status, headers: head.headers, body: body.toString('utf8') };
  }
}

function parseHead(text: string): { status: number; headers: Record<string, string | string[]>; keepAlive: boolean } {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) throw new HttpError(`not an HTTP/1.x answer: "${(lines[0] ?? '').slice(0, 40)}"`);
  const headers: Record<string, string | string[]> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers[name];
    headers[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  const connection = (header(headers, 'connection') ?? '').toLowerCase();
  const keepAlive = statusLine[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
  return { status: Number(statusLine[2]), headers, keepAlive };
}

function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A complete chunked body (and how many bytes follow it), or null while parts are missing. */
function dechunk(data: Buffer, maxBodyBytes: number): { body: Buffer; rest: number } | null {
  const parts: Buffer[] = [];
  let size = 0;
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const sizeText = data.toString('latin1', at, lineEnd).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw new HttpError(`bad chunk size "${sizeText.slice(0, 20)}"`);
    const length = Number.parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (length === 0) {
      // Trailers, if any, end with an empty line.
      const end = data.indexOf(HEAD_END, at - 2);
      if (end < 0) return null;
      return { body: Buffer.concat(parts, size), rest: data.length - (end + HEAD_END.length) };
    }
    size += length;
    if (size > maxBodyBytes) throw new HttpError(`response larger than ${maxBodyBytes} bytes`);
    if (data.length < at + length + 2) return null;
    parts.push(data.subarray(at, at + length));
    at += length + 2;
  }
}
