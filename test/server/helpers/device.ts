// A router's side of MQTT for tests: a real mqtt.js client over TCP (no-delay), logging in with
// the credentials enrollment returned, publishing contract messages and collecting `desired`.
import type { IClientOptions, MqttClient } from 'mqtt';
import { decodeMessage, encodeMessage, topicFor, type Desired, type MessageOf, type TopicKind } from '../../../shared/contract/index.js';
import { connectNoDelay } from '../../../server/mqtt/tcp-client.js';
import type { DeviceCredentials } from '../../../server/services/devices.js';
import { waitFor } from './wait.js';

export interface TestDevice {
  readonly client: MqttClient;
  readonly deviceId: string;
  /** Every desired state received, in order. */
  readonly desired: Desired[];
  publish<K extends TopicKind>(kind: K, message: MessageOf<K>, options?: { retain?: boolean }): Promise<void>;
  publishRaw(topic: string, payload: string | Buffer, options?: { retain?: boolean }): Promise<void>;
  /** Waits for a desired state matching `match` (already received or still to come). */
  nextDesired(match: (desired: Desired) => boolean, what?: string): Promise<Desired>;
  close(): Promise<void>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function connectDevice(t: Teardown, credentials: DeviceCredentials, options: IClientOptions = {}): Promise<TestDevice> {
  const client = connectNoDelay(credentials.mqttUrl, {
    clientId: credentials.clientId,
    username: credentials.username,
    password: credentials.password,
    reconnectPeriod: 0,
    ...options,
  });
  const desired: Desired[] = [];
  client.on('message', (topic, payload) => {
    if (topic !== topicFor('desired', credentials.deviceId) || payload.length === 0) return;
    const decoded = decodeMessage('desired', payload);
    if (decoded.ok) desired.push(decoded.value);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(topicFor('desired', credentials.deviceId), { qos: 1 });
  const device: TestDevice = {
    client,
    deviceId: credentials.deviceId,
    desired,
    async publish(kind, message, publishOptions = {}) {
      await client.publishAsync(topicFor(kind, credentials.deviceId), encodeMessage(kind, message), { qos: 1, retain: publishOptions.retain ?? false });
    },
    async publishRaw(topic, payload, publishOptions = {}) {
      await client.publishAsync(topic, payload, { qos: 1, retain: publishOptions.retain ?? false });
    },
    nextDesired(match, what = 'a desired state') {
      return waitFor(() => desired.find(match), what);
    },
    async close() {
      if (client.disconnected) return;
      // A clean DISCONNECT, so the broker does not publish a Last Will after the test.
      await client.endAsync(!client.connected).catch(() => {});
    },
  };
  t.teardown(() => device.close());
  return device;
}

/** Clears retained messages a test left on an external broker (they outlive the run there). */
export async function clearRetained(url: string, deviceIds: readonly string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  const client = connectNoDelay(url, { reconnectPeriod: 0, clientId: `sp-test-cleaner-${process.pid}-${Date.now()}` });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    for (const id of deviceIds) {
      for (const kind of ['presence', 'status', 'desired'] as const) {
        await client.publishAsync(topicFor(kind, id), Buffer.alloc(0), { qos: 1, retain: true });
      }
    }
  } finally {
    await client.endAsync(true).catch(() => {});
  }
}
