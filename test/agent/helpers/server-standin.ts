// A minimal stand-in for the control plane's MQTT side: connects as the server, publishes the
// retained `desired` of a device and collects what the agent sends, decoded with the contract's
// codec (a message the contract refuses fails the test run loudly).
import mqtt, { type MqttClient } from 'mqtt';
import { decodeMessage, deviceTopicFilter, encodeMessage, parseTopic, topicFor, type Desired, type MessageOf, type TopicKind } from '../../../shared/contract/index.js';

export interface Received<K extends TopicKind = TopicKind> {
  readonly kind: K;
  readonly message: MessageOf<K>;
  readonly retained: boolean;
  readonly receivedAt: number;
}

export class ServerStandIn {
  readonly received: Received[] = [];
  readonly refused: string[] = [];
  private waiters = new Set<() => void>();

  private constructor(
    private readonly client: MqttClient,
    readonly deviceId: string,
  ) {}

  static async connect(url: string, deviceId: string): Promise<ServerStandIn> {
    const client = await mqtt.connectAsync(url, { clientId: `sp-server-standin-${deviceId}`, reconnectPeriod: 200, clean: true });
    (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    const standIn = new ServerStandIn(client, deviceId);
    client.on('message', (topic, payload, packet) => standIn.onMessage(topic, payload, packet.retain));
    await client.subscribeAsync(deviceTopicFilter(deviceId), { qos: 1 });
    return standIn;
  }

  async publishDesired(desired: Desired): Promise<void> {
    await this.client.publishAsync(topicFor('desired', this.deviceId), encodeMessage('desired', desired), { qos: 1, retain: true });
  }

  of<K extends TopicKind>(kind: K): Array<MessageOf<K>> {
    return this.received.filter((r) => r.kind === kind).map((r) => r.message as MessageOf<K>);
  }

  /** Waits until `predicate` holds for what was received, or fails after `timeoutMs`. */
  async waitFor<T>(what: string, predicate: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
    const found = predicate();
    if (found) return found;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        clearInterval(poll);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.summary()}`));
      }, timeoutMs);
      // Checked at each message, and now and then for conditions that change elsewhere.
      const poll = setInterval(() => check(), 50);
      const check = () => {
        const value = predicate();
        if (!value) return;
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
    });
  }

  summary(): string {
    return this.received.map((r) => (r.kind === 'events' ? `events:${(r.message as MessageOf<'events'>).type}` : r.kind)).join(', ') || 'nothing';
  }

  /** Clears the retained messages this device left (external brokers keep them between runs). */
  async cleanUp(): Promise<void> {
    for (const kind of ['presence', 'status', 'desired'] as const) {
      await this.client.publishAsync(topicFor(kind, this.deviceId), '', { qos: 1, retain: true }).catch(() => {});
    }
    await this.client.endAsync();
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.kind === 'desired' || payload.length === 0) return;
    const decoded = decodeMessage(parsed.kind, payload);
    if (!decoded.ok) {
      this.refused.push(decoded.error);
      return;
    }
    this.received.push({ kind: parsed.kind, message: decoded.value, retained, receivedAt: Date.now() });
    for (const waiter of [...this.waiters]) waiter();
  }
}
