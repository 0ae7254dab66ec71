// Who may do what on the broker: ONE policy, used by the embedded Aedes (its authorize hooks)
// and by the HTTP auth/ACL hook external brokers call (mosquitto-go-auth, EMQX). A device may
// publish only its own up topics and subscribe only to its own `desired`; the server's principal
// reads every device's up topics and publishes `desired`.
import {
  DeviceIdSchema,
  TOPIC_ROOT,
  TOPIC_SPECS,
  UPLINK_KINDS,
  parseTopic,
  topicFor,
  type TopicKind,
} from '../../shared/contract/index.js';

export type BrokerPrincipal = { readonly kind: 'server' } | { readonly kind: 'device'; readonly deviceId: string };

/** `read`: a message on this concrete topic is delivered to the principal. */
export type BrokerAction = 'publish' | 'subscribe' | 'read';

export type BrokerDecision = { readonly allow: true } | { readonly allow: false; readonly reason: string };

const ALLOW: BrokerDecision = { allow: true };
const deny = (reason: string): BrokerDecision => ({ allow: false, reason });

/** An MQTT client id a device must use: its device id, so no device can take over another's session. */
export function clientIdAllowed(principal: BrokerPrincipal, clientId: string): boolean {
  if (principal.kind === 'server') return clientId.length > 0;
  return clientId === principal.deviceId;
}

/** Usernames that can be devices; the server's own username never matches (it has a dot). */
export function isDeviceUsername(username: string): boolean {
  return DeviceIdSchema.safeParse(username).success;
}

export function authorizeTopic(principal: BrokerPrincipal, action: BrokerAction, topic: string): BrokerDecision {
  return principal.kind === 'server' ? authorizeServer(action, topic) : authorizeDevice(principal.deviceId, action, topic);
}

function authorizeDevice(deviceId: string, action: BrokerAction, topic: string): BrokerDecision {
  if (action === 'publish') {
    const parsed = parseTopic(topic);
    if (!parsed) return deny(`${topic} is not a topic of the contract`);
    if (parsed.deviceId !== deviceId) return deny(`device ${deviceId} may not publish under another device (${parsed.deviceId})`);
    if (!isUp(parsed.kind)) return deny(`devices may not publish ${parsed.kind}`);
    return ALLOW;
  }
  // subscribe and read: exactly its own desired topic, no wildcards.
  return topic === topicFor('desired', deviceId) ? ALLOW : deny(`device ${deviceId} may only subscribe to ${topicFor('desired', deviceId)}`);
}

function authorizeServer(action: BrokerAction, topic: string): BrokerDecision {
  if (action === 'publish') {
    const parsed = parseTopic(topic);
    return parsed?.kind === 'desired' ? ALLOW : deny('the server publishes only desired states');
  }
  if (action === 'read') {
    const parsed = parseTopic(topic);
    return parsed && isUp(parsed.kind) ? ALLOW : deny('the server reads only device up topics');
  }
  // subscribe: a concrete up topic, or one up kind for every device, optionally shared (issue 10).
  const filter = topic.startsWith('$share/') ? topic.split('/').slice(2).join('/') : topic;
  const parsed = parseTopic(filter);
  if (parsed && isUp(parsed.kind)) return ALLOW;
  const prefix = `${TOPIC_ROOT}/+/`;
  if (filter.startsWith(prefix) && (UPLINK_KINDS as readonly string[]).includes(filter.slice(prefix.length))) return ALLOW;
  return deny(`the server may not subscribe to ${topic}`);
}

function isUp(kind: TopicKind): boolean {
  return TOPIC_SPECS[kind].direction === 'up';
}
