// Turning payloads into typed messages and back, for every topic kind. The receiver never
// trusts a peer: size, JSON and schema are checked, and a refusal says why in one line.
import type { z } from 'zod';
import { AckSchema, DesiredSchema, EventSchema, PresenceSchema, StatusSchema, UsageSchema } from './messages.js';
import type { TopicKind } from './topics.js';

export const MESSAGE_SCHEMAS = {
  presence: PresenceSchema,
  status: StatusSchema,
  events: EventSchema,
  usage: UsageSchema,
  acks: AckSchema,
  desired: DesiredSchema,
} as const satisfies Record<TopicKind, z.ZodType>;

export type MessageOf<K extends TopicKind> = z.output<(typeof MESSAGE_SCHEMAS)[K]>;

/** No message of the contract comes near this; a larger payload is refused unread. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Parses a payload received on a `kind` topic. Never throws. */
export function decodeMessage<K extends TopicKind>(kind: K, payload: Uint8Array | string): Decoded<MessageOf<K>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, error: `${kind}: payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}` };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (error) {
    return { ok: false, error: `${kind}: not JSON (${printable((error as Error).message)})` };
  }
  return validateMessage(kind, json);
}

/** Checks an already-parsed value against the `kind` schema. Never throws. */
export function validateMessage<K extends TopicKind>(kind: K, value: unknown): Decoded<MessageOf<K>> {
  const schema = MESSAGE_SCHEMAS[kind] as unknown as z.ZodType<MessageOf<K>>;
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: `${kind}: ${describeIssues(result.error)}` };
}

/**
 * Serialises a message for publishing. Throws if the message breaks its own schema: that is a
 * bug on the sending side, and sending it would only make the receiver refuse it.
 */
export function encodeMessage<K extends TopicKind>(kind: K, message: MessageOf<K>): Buffer {
  const checked = validateMessage(kind, message);
  if (!checked.ok) throw new TypeError(`refusing to send an invalid message: ${checked.error}`);
  return Buffer.from(JSON.stringify(checked.value));
}

/**
 * V8's JSON errors quote the payload around the fault (`Unexpected token '\n', "a\nb" is not valid
 * JSON`): the peer's bytes, raw. Escaped here, so a refusal stays one printable line in logs.
 */
function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `until: must be after issuedAt; seq: Too small: expected number to be >0` */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(message)';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
