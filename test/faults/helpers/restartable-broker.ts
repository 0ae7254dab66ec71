// An Aedes broker on a fixed loopback port that a test can stop and start again, keeping its
// persistence (retained messages, sessions, queued QoS 1 messages) across the restart the way
// Mosquitto with `persistence true` keeps them on disk. Every connection dies at the stop.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import memoryModule from 'aedes-persistence';

export interface RestartableBroker {
  readonly url: string;
  readonly external: false;
  /** Drops every connection and stops listening (the broker process died). */
  stop(): Promise<void>;
  /** Listens again on the same port, with what the broker had persisted. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRestartableBroker(): Promise<RestartableBroker> {
  // A CommonJS module whose types declare an ES default export: under NodeNext the import is the
  // module itself, which is the factory at run time.
  const memory = memoryModule as unknown as () => NonNullable<Parameters<typeof Aedes.createBroker>[0]>['persistence'];
  const persistence = memory();
  let port = 0;
  let running: { aedes: Aedes; server: Server; sockets: Set<Socket> } | null = null;

  const start = async () => {
    if (running) return;
    const aedes = await Aedes.createBroker({ persistence });
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    running = { aedes, server, sockets };
  };
  const stop = async () => {
    const current = running;
    if (!current) return;
    running = null;
    for (const socket of current.sockets) socket.destroy();
    await new Promise<void>((resolve) => current.server.close(() => resolve()));
    await new Promise<void>((resolve) => current.aedes.close(() => resolve()));
  };
  await start();
  return { url: `mqtt://127.0.0.1:${port}`, external: false, stop, start, close: stop };
}
