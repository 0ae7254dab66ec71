// The real server in a process of its own, as `serviceplus server` runs it (startServer with
// settings from SP_* variables), telling its parent over IPC where it listens:
// { type: 'ready', url, mqttUrl } — and stopping on { type: 'stop' } or SIGTERM.
import { createLogger } from '../../shared/log.js';
import { loadServerConfig } from '../../server/config.js';
import { startServer } from '../../server/main.js';

export interface ServerReady {
  readonly type: 'ready';
  readonly url: string;
  readonly mqttUrl: string;
}

const config = loadServerConfig({ env: process.env });
const server = await startServer(config, { log: createLogger({ name: 'server', level: config.logLevel }) });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => {});
  process.exit(0);
};
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stop') void stop();
});
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
const ready: ServerReady = { type: 'ready', url: server.url, mqttUrl: server.mqttUrl };
process.send?.(ready);
