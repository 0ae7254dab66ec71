// A real MQTT broker for tests: an embedded Aedes on an ephemeral loopback port by default, or
// the broker named by SP_MQTT_URL (CI points it at this machine's Mosquitto). The broker is open
// (no authentication): suites that test the server's device authentication start the server's
// own broker instead. Test files that import this helper are run a second time by .ci/run
// against the external broker, so use unique device ids (retained messages outlive a run there).
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface TestBroker {
  readonly url: string;
  /** True when SP_MQTT_URL named a broker this helper did not start. */
  readonly external: boolean;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const externalUrl = process.env['SP_MQTT_URL'];
  if (externalUrl) return { url: externalUrl, external: true, close: async () => {} };

  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true); // Nagle would add ~40 ms to every QoS 1 exchange
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    external: false,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** A device id no other run or test file uses, so retained messages never collide. */
export function uniqueDeviceId(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
