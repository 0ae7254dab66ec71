// The line poll's HTTP client against a real TCP server that writes raw answers: every way an
// HTTP/1.1 answer can end, kept-alive reuse, a connection the box closed under us, and limits.
import { createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { HttpError, KeepAliveHttp, ReplyReader, type HttpRequest } from '../../../agent/dsl/http-connection.js';

interface RawServer {
  readonly port: number;
  readonly requests: string[];
  connections: number;
  close(): Promise<void>;
}

/** Answers each request (one per `data` event) with `answer(requestText, socket)`. */
async function rawServer(answer: (request: string, socket: Socket, index: number) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state = { requests: [] as string[], connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      state.requests.push(chunk.toString('utf8'));
      answer(chunk.toString('utf8'), socket, state.requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    requests: state.requests,
    get connections() {
      return state.connections;
    },
    set connections(n: number) {
      state.connections = n;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw server answering with `answer`, and a client kept alive to it; both closed after the test. */
async function clientOf(t: Test, answer: Parameters<typeof rawServer>[0]): Promise<{ server: RawServer; http: KeepAliveHttp }> {
  const server = await rawServer(answer);
  const http = new KeepAliveHttp('127.0.0.1', server.port);
  t.teardown(async () => {
    http.close();
    await server.close();
  });
  return { server, http };
}

const POST: HttpRequest = { method: 'POST', path: '/upnp/control/x', headers: { soapaction: 'x#Y' }, body: '<a>ü</a>', timeoutMs: 1000, maxBodyBytes: 1024 };

t.test('one request: the head and body as written, the answer by Content-Length, the connection kept', async (t) => {
  const { server, http } = await clientOf(t, (_, socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Twice: a\r\nX-Twice: b\r\n\r\nhello'));
  const reply = await http.request(POST);
  t.equal(reply.status, 200);
  t.equal(reply.body, 'hello');
  t.same(reply.headers['x-twice'], ['a', 'b']);
  const request = server.requests[0]!;
  t.match(request, /^POST \/upnp\/control\/x HTTP\/1\.1\r\n/);
  t.match(request, /\r\nsoapaction: x#Y\r\n/);
  t.match(request, /\r\ncontent-length: 9\r\n\r\n<a>ü<\/a>$/, 'the length in bytes, not characters');
  await http.request(POST);
  await http.request(POST);
  t.equal(server.connections, 1, 'three requests, one connection');
});

t.test('a chunked answer, split across packets; Connection: close is honoured', async (t) => {
  const { server, http } = await clientOf(t, (_, socket, i) => {
    if (i === 0) {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nhel');
      setImmediate(() => socket.write('l\r\n1;ext=1\r\no\r\n0\r\n\r\n'));
    } else socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno');
  });
  t.equal((await http.request(POST)).body, 'hello');
  const second = await http.request(POST);
  t.equal(second.status, 500);
  t.equal(second.body, 'no');
  await http.request(POST).catch(() => {});
  t.equal(server.connections, 2, 'a new connection after Connection: close');
});

t.test('an answer without a length ends with the connection', async (t) => {
  const { http } = await clientOf(t, (_, socket) => socket.end('HTTP/1.0 200 OK\r\n\r\n<xml/>'));
  t.equal((await http.request(POST)).body, '<xml/>');
});

t.test('a kept connection the server closed is replaced once, without an error', async (t) => {
  const { server, http } = await clientOf(t, (_, socket, i) => {
    socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    if (i === 0) setImmediate(() => socket.destroy()); // the box drops the idle connection
  });
  await http.request(POST);
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the close arrive (or not: either way the next works)
  t.equal((await http.request(POST)).body, 'ok');
  t.equal(server.connections, 2);
});

t.test('silence times out; a refused connect, a garbled or oversized answer are errors', async (t) => {
  const silent = await rawServer(() => {});
  const http = new KeepAliveHttp('127.0.0.1', silent.port);
  await t.rejects(http.request({ ...POST, timeoutMs: 100 }), /no answer within 100 ms/);
  http.close();
  await silent.close();

  const refused = new KeepAliveHttp('127.0.0.1', silent.port);
  await t.rejects(refused.request(POST), { code: 'ECONNREFUSED' });

  const garbled = await rawServer((_, socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
  const g = new KeepAliveHttp('127.0.0.1', garbled.port);
  await t.rejects(g.request(POST), HttpError);
  g.close();
  await garbled.close();

  const big = await rawServer((_, socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`));
  const b = new KeepAliveHttp('127.0.0.1', big.port);
  await t.rejects(b.request(POST), /larger than 1024 bytes/);
  b.close();
  await big.close();
});

t.test('the reader: 100 Continue skipped, 204 without a body, bytes after the answer spoil reuse', async (t) => {
  const reader = new ReplyReader(1024);
  t.equal(reader.push(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le')), null);
  const reply = reader.push(Buffer.from('ngth: 2\r\n\r\nok'));
  t.equal(reply?.status, 200);
  t.equal(reply?.body, 'ok');
  t.equal(reader.reusable, true);

  const empty = new ReplyReader(1024);
  t.equal(empty.push(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))?.body, '');

  const extra = new ReplyReader(1024);
  extra.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK'));
  t.equal(extra.reusable, false);

  t.throws(() => new ReplyReader(1024).push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')), HttpError);
  t.throws(() => new ReplyReader(1024).push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')), HttpError);
});
