// "The internet" for the connectivity probe: loopback TCP listeners a test can close (connection
// refused, as when the line carries no traffic) and open again on the same ports.
import { createServer, type AddressInfo, type Server } from 'node:net';

export interface FakeInternet {
  /** `127.0.0.1:port` for each listener, as probe targets. */
  readonly targets: string[];
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

async function listen(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function startFakeInternet(count = 3): Promise<FakeInternet> {
  let servers = await Promise.all(Array.from({ length: count }, () => listen(0)));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  let up = true;
  return {
    targets: ports.map((p) => `127.0.0.1:${p}`),
    async cut() {
      if (!up) return;
      up = false;
      await Promise.all(servers.map(close));
    },
    async restore() {
      if (up) return;
      servers = await Promise.all(ports.map(listen));
      up = true;
    },
    async close() {
      if (up) await Promise.all(servers.map(close));
      up = false;
    },
  };
}
