// The real server in this process (as the demo and the tests run it), for benchmarks that need
// to see the moment a message is stored: `observeIngest` is told after the ingest has handled
// each message (its transaction committed), with the time.
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogger } from '../../shared/log.js';
import { serverConfig, type ServerConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { nowMs } from './stats.js';

/** The server principal's password, so a benchmark can publish `desired` as the server does. */
export const BENCH_SERVER_MQTT_PASSWORD = 'bench-server-mqtt-password';

export async function startInProcessServer(dataDir: string, values: Partial<Parameters<typeof serverConfig>[0]> = {}): Promise<{ server: RunningServer; config: ServerConfig }> {
  const config = serverConfig({
    dataDir,
    httpHost: '127.0.0.1',
    httpPort: 0,
    mqttHost: '127.0.0.1',
    mqttPort: 0,
    mqttPassword: BENCH_SERVER_MQTT_PASSWORD,
    // Customer logins are seeded here, not measured: a cheaper scrypt keeps seeding short.
    passwordHashCost: 10,
    ...values,
  });
  // The server logs at info, as deployed, to a file instead of this process's stdout.
  const log = createLogger({ name: 'server', level: config.logLevel, destination: pino.destination({ dest: join(dataDir, 'server.log'), sync: false, mkdir: true }) });
  return { server: await startServer(config, { log }), config };
}

/** Calls `listener` after each message the ingest handled; returns the undo. */
export function observeIngest(server: RunningServer, listener: (topic: string, payload: Buffer, doneAt: number) => void): () => void {
  const ingest = server.ingest;
  const original = ingest.handle;
  ingest.handle = async (topic: string, payload: Buffer) => {
    await original.call(ingest, topic, payload);
    listener(topic, payload, nowMs());
  };
  return () => {
    ingest.handle = original;
  };
}
