// MQTT topic names of the wire contract (ARCHITECTURE.md, "The wire contract").
// Every device lives under sp/v1/devices/{deviceId}/ and may use nothing else.
import { z } from 'zod';

export const TOPIC_ROOT = 'sp/v1/devices';

/** Device ids appear in topics, so they exclude `/`, `+`, `#` and anything else unusual. */
export const DeviceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected a device id: letters, digits, - and _, at most 64');
export type DeviceId = z.infer<typeof DeviceIdSchema>;

export const TOPIC_KINDS = ['presence', 'status', 'events', 'usage', 'acks', 'desired'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

export interface TopicSpec {
  /** `up`: the agent publishes; `down`: the server publishes. */
  readonly direction: 'up' | 'down';
  readonly qos: 1;
  readonly retain: boolean;
}

export const TOPIC_SPECS: Readonly<Record<TopicKind, TopicSpec>> = {
  presence: { direction: 'up', qos: 1, retain: true },
  status: { direction: 'up', qos: 1, retain: true },
  events: { direction: 'up', qos: 1, retain: false },
  usage: { direction: 'up', qos: 1, retain: false },
  acks: { direction: 'up', qos: 1, retain: false },
  desired: { direction: 'down', qos: 1, retain: true },
};

export const UPLINK_KINDS = TOPIC_KINDS.filter((k) => TOPIC_SPECS[k].direction === 'up');

/** `sp/v1/devices/{deviceId}/{kind}` */
export function topicFor(kind: TopicKind, deviceId: DeviceId): string {
  return `${TOPIC_ROOT}/${deviceId}/${kind}`;
}

/** Everything one device may touch: `sp/v1/devices/{deviceId}/#`. */
export function deviceTopicFilter(deviceId: DeviceId): string {
  return `${TOPIC_ROOT}/${deviceId}/#`;
}

/** One kind for every device, for the server: `sp/v1/devices/+/{kind}`. */
export function allDevicesFilter(kind: TopicKind): string {
  return `${TOPIC_ROOT}/+/${kind}`;
}

export interface ParsedTopic {
  readonly deviceId: DeviceId;
  readonly kind: TopicKind;
}

/** Reads a concrete topic of the contract; anything else (wildcards included) is null. */
export function parseTopic(topic: string): ParsedTopic | null {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return null;
  const parts = topic.slice(prefix.length).split('/');
  if (parts.length !== 2) return null;
  const [deviceId, kind] = parts as [string, string];
  if (!DeviceIdSchema.safeParse(deviceId).success) return null;
  if (!(TOPIC_KINDS as readonly string[]).includes(kind)) return null;
  return { deviceId, kind: kind as TopicKind };
}
