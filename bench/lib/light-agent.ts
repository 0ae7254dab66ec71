// A light simulated agent: the agent's real uplink (agent/uplink: mqtt.js with TCP_NODELAY, the
// on-disk outbox with its fdatasync per message, its own reconnect back-off) and nothing else,
// so that thousands fit in one process. The boost benchmark adds the real profile service and
// modem stack on top (bench/lib/boost-agents-child.ts).
import { join } from 'node:path';
import { systemClock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import { DEFAULT_BACKOFF } from '../../agent/uplink/backoff.js';
import { Outbox } from '../../agent/uplink/outbox.js';
import { Uplink } from '../../agent/uplink/uplink.js';

export interface LightAgentOptions {
  readonly url: string;
  readonly deviceId: string;
  readonly secret: string;
  /** Where its outbox lives. */
  readonly dataDir: string;
  readonly log: Logger;
  /** MQTT keep-alive (the agent's default is 60 s). */
  readonly keepaliveS?: number;
  readonly onDesired?: (payload: Buffer) => void;
  readonly onConnectionChange?: (connected: boolean) => void;
  /** Connect at once (default), or leave it to the caller (`uplink.start()`). */
  readonly connect?: boolean;
}

export interface LightAgent {
  readonly deviceId: string;
  readonly uplink: Uplink;
  readonly outbox: Outbox;
  stop(): Promise<void>;
}

export async function startLightAgent(options: LightAgentOptions): Promise<LightAgent> {
  const outbox = await Outbox.open(join(options.dataDir, `${options.deviceId}.outbox.log`), { log: options.log });
  const uplink = new Uplink({
    url: options.url,
    deviceId: options.deviceId,
    secret: options.secret,
    outbox,
    clock: systemClock,
    log: options.log,
    backoff: DEFAULT_BACKOFF,
    keepaliveS: options.keepaliveS ?? 60,
    connectTimeoutMs: 30_000,
    onDesired: options.onDesired ?? (() => {}),
    ...(options.onConnectionChange ? { onConnectionChange: options.onConnectionChange } : {}),
  });
  if (options.connect ?? true) uplink.start();
  return {
    deviceId: options.deviceId,
    uplink,
    outbox,
    async stop() {
      await uplink.stop(1_000);
      await outbox.close();
    },
  };
}
