// Makes a TCP service of this host (a test's MQTT broker, the simulated box's TR-064) reachable
// inside a namespace of the data plane, so a program run there (the agent on its router host)
// reaches it without any address or link outside the namespaces: a relay in the namespace hands
// each connection over a Unix socket (a file, which every network namespace sees) to this
// process, which connects to the service on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from './names.js';
import { startTool, type ToolHost } from './traffic/control.js';

export interface Bridge {
  /** Where the service answers inside the namespace. */
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function bridgeIntoNamespace(
  dp: ToolHost,
  role: Role,
  target: { readonly host: string; readonly port: number },
  listen: { readonly host?: string; readonly port?: number } = {},
): Promise<Bridge> {
  const dir = mkdtempSync(join(tmpdir(), 'sp-bridge-'));
  const path = join(dir, 'relay.sock');
  const sockets = new Set<Socket>();
  const server = createServer((inner) => {
    const outer = connect({ host: target.host, port: target.port });
    outer.setNoDelay(true); // MQTT over Nagle costs ~40 ms a message (HARDWARE.md)
    for (const socket of [inner, outer]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        inner.destroy();
        outer.destroy();
      });
      socket.on('close', () => (socket === inner ? outer : inner).destroy());
    }
    inner.pipe(outer);
    outer.pipe(inner);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  const closeServer = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const host = listen.host ?? '127.0.0.1';
    const relay = await startTool(dp, role, { kind: 'tcp-relay', listen: { host, port: listen.port ?? 0 }, path });
    return {
      host,
      port: relay.port!,
      async close() {
        await relay.stop();
        await closeServer();
      },
    };
  } catch (error) {
    await closeServer();
    throw error;
  }
}
