// Starts the real server as a child process (bench/lib/server-child.ts) with the given SP_*
// settings, and an operator token made in its store beforehand (as `serviceplus server token
// create` does), so a benchmark can drive it over HTTP and MQTT and read its RSS and CPU.
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../shared/clock.js';
import { OperatorTokens } from '../../server/auth/operators.js';
import { openDatabase } from '../../server/db/database.js';
import type { ServerReady } from './server-child.js';
import { childExecArgv, childReady, stopChild } from './proc.js';

export interface ServerProcess {
  readonly url: string;
  readonly mqttUrl: string;
  readonly pid: number;
  /** An admin bearer token. */
  readonly token: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  readonly dataDir: string;
  /** Further settings as SP_* variables, e.g. { SP_MQTT_URL: '…' }. */
  readonly env?: Readonly<Record<string, string>>;
  /** V8 flags for the server process. */
  readonly nodeArgs?: readonly string[];
  readonly timeoutMs?: number;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const store = await openDatabase({ dataDir: options.dataDir });
  let token: string;
  try {
    token = (await new OperatorTokens(store, systemClock).create({ name: 'bench', role: 'admin' }, { kind: 'system', id: 'bench' })).token;
  } finally {
    await store.close();
  }
  const stderr = openSync(join(options.dataDir, 'server.stderr.log'), 'a');
  const child = fork(new URL('./server-child.ts', import.meta.url).pathname, [], {
    execArgv: childExecArgv(options.nodeArgs),
    env: {
      ...process.env,
      SP_DATA_DIR: options.dataDir,
      SP_HTTP_HOST: '127.0.0.1',
      SP_HTTP_PORT: '0',
      SP_MQTT_HOST: '127.0.0.1',
      SP_MQTT_PORT: '0',
      SP_LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', stderr, 'ipc'],
  });
  closeSync(stderr);
  const ready = await childReady<ServerReady>(child, 'server', `${options.dataDir}/server.stderr.log`, options.timeoutMs ?? 60_000);
  return {
    url: ready.url,
    mqttUrl: ready.mqttUrl,
    pid: child.pid!,
    token,
    child,
    async stop() {
      await stopChild(child, 10_000);
    },
  };
}
