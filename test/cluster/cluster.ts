// The parts of the cluster test: server instances as child processes (test/cluster/instance-child.ts)
// sharing one PostgreSQL schema and one MQTT 5 shared subscription group, and a fleet of light
// simulated agents (bench/lib/light-agent.ts: the agent's real uplink and on-disk outbox) that
// acknowledge every desired state they receive, as the real agent does once it applied one.
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, type Desired } from '../../shared/contract/index.js';
import { silentLogger } from '../../shared/log.js';
import { failoverEvent } from '../fixtures/messages.js';
import { connectNoDelay } from '../../server/mqtt/tcp-client.js';
import type { DeviceCredentials } from '../../server/services/devices.js';
import { startLightAgent, type LightAgent } from '../../bench/lib/light-agent.js';
import { childExecArgv, childReady, stopChild } from '../../bench/lib/proc.js';
import type { ChildReady, ChildReply, ChildRequest } from './instance-child.js';

export interface InstanceSettings {
  readonly name: string;
  readonly dataDir: string;
  /** Where its log goes (`<name>.log`). */
  readonly logDir: string;
  /** SP_* variables. */
  readonly env: Readonly<Record<string, string>>;
}

export class Instance {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(
    readonly name: string,
    readonly url: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (message: ChildReply) => {
      const waiter = this.pending.get(message?.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${name} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  static async start(settings: InstanceSettings, timeoutMs = 45_000): Promise<Instance> {
    mkdirSync(settings.dataDir, { recursive: true });
    mkdirSync(settings.logDir, { recursive: true });
    const stderr = openSync(join(settings.logDir, `${settings.name}.log`), 'a');
    const child = fork(new URL('./instance-child.ts', import.meta.url).pathname, [], {
      execArgv: childExecArgv(),
      env: { ...process.env, ...settings.env, SP_DATA_DIR: settings.dataDir },
      stdio: ['ignore', stderr, stderr, 'ipc'],
    });
    closeSync(stderr);
    const ready = await childReady<ChildReady>(child, settings.name, `${settings.logDir}/${settings.name}.log`, timeoutMs);
    return new Instance(settings.name, ready.url, child);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  request<T>(request: Omit<ChildRequest, 'id'>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }

  /** kill -9: no goodbye to the broker, no commit of anything in flight. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }

  stop(): Promise<void> {
    return stopChild(this.child, 10_000);
  }

  /** HTTP to this instance's API over TCP; JSON both ways. */
  async call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}

export interface FleetAgent {
  readonly agent: LightAgent;
  readonly deviceId: string;
  /** Desired states received, by seq. */
  readonly desired: Map<number, Desired>;
  ackedSeq: number;
  eventsSent: number;
  usage: { seq: number; upBytes: number; downBytes: number };
}

/** Starts one light agent per device; each acks every newer desired state it receives ("applied"). */
export async function startFleet(devices: readonly DeviceCredentials[], dataDir: string, now: () => string): Promise<FleetAgent[]> {
  const log = silentLogger();
  return Promise.all(
    devices.map(async (device) => {
      let fleetAgent: FleetAgent | undefined;
      const agent = await startLightAgent({
        url: device.mqttUrl,
        deviceId: device.deviceId,
        secret: device.password,
        dataDir,
        log,
        connect: false,
        onDesired: (payload) => {
          const decoded = payload.length > 0 ? decodeMessage('desired', payload) : null;
          if (!decoded?.ok || !fleetAgent) return;
          const desired = decoded.value;
          fleetAgent.desired.set(desired.seq, desired);
          if (desired.seq <= fleetAgent.ackedSeq) return;
          fleetAgent.ackedSeq = desired.seq;
          void agent.uplink.send('acks', {
            v: 1,
            at: now(),
            seq: desired.seq,
            outcome: 'applied',
            boostId: desired.boostId,
            applied: { downKbps: desired.downKbps, upKbps: desired.upKbps },
          });
        },
      });
      fleetAgent = { agent, deviceId: device.deviceId, desired: new Map(), ackedSeq: 0, eventsSent: 0, usage: { seq: 0, upBytes: 0, downBytes: 0 } };
      agent.uplink.start();
      return fleetAgent;
    }),
  );
}

/** Each agent sends `events` failover events and `usage` growing usage reports (through its outbox). */
export async function sendTelemetry(fleet: readonly FleetAgent[], counts: { events: number; usage: number }, period: string, now: () => string): Promise<void> {
  await Promise.all(
    fleet.map(async (member) => {
      for (let i = 0; i < counts.events; i++) {
        member.eventsSent++;
        const n = member.eventsSent;
        await member.agent.uplink.send('events', { ...failoverEvent({ id: `evt-${n}`, at: now(), reason: 'cluster test' }) });
      }
      for (let i = 0; i < counts.usage; i++) {
        member.usage = { seq: member.usage.seq + 1, upBytes: member.usage.upBytes + 1_000, downBytes: member.usage.downBytes + 25_000 };
        await member.agent.uplink.send('usage', { v: 1, at: now(), period, ...member.usage });
      }
    }),
  );
}

/** Ends the MQTT 5 sessions the instances left on the broker (they are kept while an instance is down). */
export async function endBrokerSessions(url: string, clientIds: readonly string[]): Promise<void> {
  for (const clientId of clientIds) {
    const client = connectNoDelay(url, { clientId, protocolVersion: 5, clean: true, reconnectPeriod: 0, properties: { sessionExpiryInterval: 0 } });
    await new Promise<void>((resolve) => {
      client.once('connect', () => resolve());
      client.once('error', () => resolve());
    });
    await client.endAsync(true).catch(() => {});
  }
}
