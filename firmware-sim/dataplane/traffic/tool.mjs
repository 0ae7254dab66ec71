// Traffic for the simulated data plane, run inside a namespace by control.ts:
//   ip netns exec <ns> node tool.mjs '<spec as JSON>'
// Plain JavaScript on purpose: it starts in about 0.1 s where tsx takes about 0.8 s, and tests
// start several. Speaks JSON lines on stdout ({type:'ready'|'report'|'result'|'error'}) and
// takes commands on stdin (`report <id>`, `reset`); it exits when stdin closes, so a crashed
// parent leaves nothing running. Kinds:
//   udp-echo   {port}                         echoes datagrams; records when each arrived
//   udp-probe  {host, port, intervalMs, size} sends numbered, timestamped datagrams on a fixed
//                                             schedule; records each echo's round trip
//   tcp-bulk   {direction, listen?|connect?}  sends or receives as fast as TCP allows; counts bytes
//   tcp-connect {host, port, timeoutMs, localAddress?}
//                                             one connection attempt; prints how it ended
//   tcp-relay  {listen: {host, port}, path}   hands each TCP connection to the Unix socket at
//                                             `path` (a file: every namespace sees it), so a
//                                             service of the host is reachable in a namespace
import dgram from 'node:dgram';
import net from 'node:net';
import readline from 'node:readline';

const now = () => performance.timeOrigin + performance.now();
const emit = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

let spec;
try {
  spec = JSON.parse(process.argv[2] ?? '');
} catch {
  emit({ type: 'error', message: 'usage: tool.mjs <spec JSON>' });
  process.exit(2);
}

const handlers = { report: () => ({}), reset: () => {} };
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, id] = line.trim().split(/\s+/);
  if (command === 'report') emit({ type: 'report', id: Number(id), at: now(), ...handlers.report() });
  else if (command === 'reset') handlers.reset();
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

switch (spec.kind) {
  case 'udp-echo':
    udpEcho(spec);
    break;
  case 'udp-probe':
    udpProbe(spec);
    break;
  case 'tcp-bulk':
    tcpBulk(spec);
    break;
  case 'tcp-connect':
    tcpConnect(spec);
    break;
  case 'tcp-relay':
    tcpRelay(spec);
    break;
  default:
    emit({ type: 'error', message: `unknown kind ${String(spec.kind)}` });
    process.exit(2);
}

function udpEcho({ port }) {
  const socket = dgram.createSocket('udp4');
  let arrivals = [];
  socket.on('message', (message, peer) => {
    arrivals.push([message.length >= 4 ? message.readUInt32BE(0) : -1, now()]);
    socket.send(message, peer.port, peer.address, () => {});
  });
  socket.on('error', () => {});
  handlers.report = () => ({ arrivals });
  handlers.reset = () => {
    arrivals = [];
  };
  socket.bind(port ?? 0, () => emit({ type: 'ready', port: socket.address().port }));
}

function udpProbe({ host, port, intervalMs, size }) {
  const socket = dgram.createSocket('udp4');
  const payload = Buffer.alloc(Math.max(12, size));
  let sent = 0;
  let sendErrors = 0;
  let firstSentAt = null;
  let samples = []; // [seq, sentAt, receivedAt]
  let seq = 0;
  socket.on('message', (message) => {
    if (message.length < 12) return;
    samples.push([message.readUInt32BE(0), message.readDoubleBE(4), now()]);
  });
  socket.on('error', () => {
    sendErrors += 1;
  });
  const start = now();
  const tick = () => {
    const sentAt = now();
    payload.writeUInt32BE(seq >>> 0, 0);
    payload.writeDoubleBE(sentAt, 4);
    seq += 1;
    sent += 1;
    firstSentAt ??= sentAt;
    // Unreachable and prohibited routes fail the send itself: count it, keep the schedule.
    socket.send(payload, port, host, (error) => {
      if (error) sendErrors += 1;
    });
    const next = start + seq * intervalMs;
    setTimeout(tick, Math.max(0, next - now()));
  };
  handlers.report = () => ({ sent, sendErrors, firstSentAt, samples });
  handlers.reset = () => {
    sent = 0;
    sendErrors = 0;
    firstSentAt = null;
    samples = [];
  };
  socket.bind(0, () => {
    emit({ type: 'ready', port: socket.address().port });
    tick();
  });
}

function tcpBulk({ direction, listen, connect }) {
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let bytes = 0;
  let connections = 0;
  const attach = (socket) => {
    connections += 1;
    socket.setNoDelay(true);
    socket.on('error', () => {});
    if (direction === 'receive') {
      socket.on('data', (data) => {
        bytes += data.length;
      });
    } else {
      // Bytes handed to the socket (the receiver's count is the goodput).
      const pump = () => {
        while (socket.writable) {
          bytes += chunk.length;
          if (!socket.write(chunk)) break;
        }
      };
      socket.on('drain', pump);
      pump();
    }
  };
  handlers.report = () => ({ bytes, connections });
  handlers.reset = () => {
    bytes = 0;
  };
  if (listen !== undefined) {
    const server = net.createServer(attach);
    server.listen(listen.port ?? 0, listen.host ?? '0.0.0.0', () => emit({ type: 'ready', port: server.address().port }));
    return;
  }
  // Connect, and connect again whenever the connection fails or ends (a route may not be there yet).
  const dial = () => {
    const socket = net.connect({ host: connect.host, port: connect.port });
    socket.once('connect', () => attach(socket));
    socket.once('close', () => setTimeout(dial, 200));
    socket.on('error', () => {});
  };
  emit({ type: 'ready' });
  dial();
}

function tcpConnect({ host, port, timeoutMs, localAddress }) {
  const started = now();
  const socket = net.connect({ host, port, ...(localAddress ? { localAddress } : {}) });
  const finish = (outcome, code) => {
    emit({ type: 'result', outcome, code: code ?? null, ms: now() - started });
    socket.destroy();
    process.exit(0);
  };
  socket.setTimeout(timeoutMs ?? 3000, () => finish('timeout'));
  socket.once('connect', () => finish('connected'));
  socket.once('error', (error) => finish('error', error.code));
  emit({ type: 'ready' });
}

function tcpRelay({ listen, path }) {
  let connections = 0;
  const server = net.createServer((client) => {
    connections += 1;
    client.setNoDelay(true);
    const host = net.connect({ path });
    const close = () => {
      client.destroy();
      host.destroy();
    };
    client.on('error', close).on('close', close);
    host.on('error', close).on('close', close);
    client.pipe(host);
    host.pipe(client);
  });
  handlers.report = () => ({ connections });
  server.listen(listen?.port ?? 0, listen?.host ?? '127.0.0.1', () => emit({ type: 'ready', port: server.address().port }));
}
