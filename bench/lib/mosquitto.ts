// A private Mosquitto for the fleet benchmark, on a free loopback port with its own config: the
// machine's shared broker (127.0.0.1:1883) carries other people's test traffic, and 10,000
// retained statuses left there would reach every other server that subscribes to all devices.
// Settings a deployment needs at this scale: TCP_NODELAY on client sockets (Mosquitto's default
// is off), a per-client queue deep enough for the server's subscription, no persistence.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stopChild } from './proc.js';
import { sleep } from './stats.js';

export interface Mosquitto {
  readonly url: string;
  readonly pid: number;
  readonly config: string;
  stop(): Promise<void>;
}

export function mosquittoBinary(): string | null {
  for (const path of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto']) if (existsSync(path)) return path;
  const which = spawnSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepting(port: number, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    if (Date.now() - started > timeoutMs) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export async function startMosquitto(dir: string): Promise<Mosquitto> {
  const binary = mosquittoBinary();
  if (!binary) throw new Error('no mosquitto binary on this machine');
  const port = await freePort();
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence false',
    'set_tcp_nodelay true',
    'max_queued_messages 100000',
    'max_inflight_messages 100',
    'log_dest stderr',
    'log_type error',
    '',
  ].join('\n');
  const file = join(dir, 'mosquitto.conf');
  await writeFile(file, config);
  const child: ChildProcess = spawn(binary, ['-c', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  await accepting(port, 10_000).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid!,
    config: config.trim().split('\n').slice(1).join('; '),
    stop: () => stopChild(child),
  };
}
