// Every MQTT schema of the wire contract under fuzzing: decodeMessage never throws; it accepts
// every message the contract describes (and gives it back unchanged); it refuses every broken
// one with a readable one-line reason that names the broken field; and on random JSON, random
// bytes and payloads around MAX_PAYLOAD_BYTES it refuses cleanly.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import t from 'tap';
import { decodeMessage, encodeMessage, MAX_PAYLOAD_BYTES, TOPIC_KINDS, validateMessage, type TopicKind } from '../../../shared/contract/index.js';
import * as fx from '../../fixtures/messages.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { OPTIONAL_KEYS, VALID } from '../helpers/messages.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = ReadonlyArray<string | number>;

const kind = fc.constantFrom(...TOPIC_KINDS);
/** A valid message of a kind: generated, or the fixture tests start from. */
const FIXTURES: Record<TopicKind, unknown> = { presence: fx.presence(), status: fx.status(), events: fx.failoverEvent(), usage: fx.usage(), acks: fx.ack(), desired: fx.desired() };
const validOf = (k: TopicKind) => fc.oneof({ weight: 1, arbitrary: fc.constant(FIXTURES[k]) }, { weight: 4, arbitrary: VALID[k] });
const kindAndValid = kind.chain((k) => fc.tuple(fc.constant(k), validOf(k)));

/** Every path into a JSON value (not the root), with the value there. */
function paths(value: Json, prefix: Path = []): Array<{ path: Path; value: Json }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [{ path: [...prefix, i], value: v }, ...paths(v, [...prefix, i])]);
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [{ path: [...prefix, k], value: v }, ...paths(v, [...prefix, k])]);
  return [];
}

function update(value: Json, path: Path, change: (parent: Json[] | { [key: string]: Json }, key: string | number) => void): Json {
  const copy = structuredClone(value);
  let node = copy as Json[] | { [key: string]: Json };
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, Json>)[step] as typeof node;
  change(node, path.at(-1)!);
  return copy;
}

const setAt = (value: Json, path: Path, to: Json) => update(value, path, (parent, key) => ((parent as Record<string | number, Json>)[key] = to));
const deleteAt = (value: Json, path: Path) => update(value, path, (parent, key) => delete (parent as Record<string | number, Json>)[key]);

function typeOf(value: Json): 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'object' | 'string' | 'number' | 'boolean';
}

/** Values of another JSON type (never null: many fields may be null). */
function wrongTypes(value: Json): Json[] {
  const all: Json[] = ['x', 5, true, [], {}];
  if (value === null) return [true, []];
  return all.filter((candidate) => typeOf(candidate) !== typeOf(value));
}

/** A refusal a person can read: one line, no control characters, starting with the topic kind. */
function readableRefusal(k: TopicKind, error: string): string | null {
  if (!error.startsWith(`${k}: `)) return `does not start with "${k}: "`;
  if (/[\x00-\x1f\x7f]/.test(error)) return 'holds a line break or control character';
  if (error.length > 2000) return `is ${error.length} characters long`;
  return null;
}

/** The error names the field: `a.b: …` or, for a nested problem, `a.b.c: …`. */
const names = (error: string, path: Path) => error.includes(`${path.join('.')}: `) || error.includes(`${path.join('.')}.`);

type Broken = { readonly how: string; readonly path: Path; readonly value: Json };

/** Mutations that break any valid message, whatever the field: each must be refused naming the field. */
function typedBreakages(k: TopicKind, message: Json): Broken[] {
  const broken: Broken[] = [];
  for (const { path, value } of paths(message)) {
    const inArray = typeof path.at(-1) === 'number';
    const optional = path.length === 1 && OPTIONAL_KEYS[k].includes(String(path[0]));
    if (!inArray && !optional) broken.push({ how: `without ${path.join('.')}`, path, value: deleteAt(message, path) });
    for (const wrong of wrongTypes(value)) broken.push({ how: `${path.join('.')} = ${JSON.stringify(wrong)}`, path, value: setAt(message, path, wrong) });
    if (typeof value === 'string') broken.push({ how: `${path.join('.')} empty`, path, value: setAt(message, path, '') });
    if (typeof value === 'number') for (const bad of [0.5, -1, 1e300]) broken.push({ how: `${path.join('.')} = ${bad}`, path, value: setAt(message, path, bad) });
  }
  return broken;
}

/** Mutations that break a rule of one field (bounds, formats, the desired state's rules). */
function ruleBreakages(k: TopicKind, m: Record<string, Json>): Broken[] {
  const set = (path: Path, to: Json, how: string): Broken => ({ how, path, value: setAt(m, path, to) });
  const out: Broken[] = [
    set(['v'], 2, 'schema version 2'),
    set(['v'], '1', 'schema version as text'),
    ...(['at', 'issuedAt'] as const).filter((key) => key in m).flatMap((key) => [
      set([key], '2026-02-30T09:00:00Z', `${key} on 30 February`),
      set([key], '2026-03-10 09:00:00', `${key} without the T`),
      set([key], 'yesterday', `${key} in words`),
      set([key], '2026-03-10T09:00:00+25:00', `${key} with an offset of 25 hours`),
    ]),
  ];
  if (k === 'desired') {
    const profile = m['profile'] as 'baseline' | 'boost';
    const bound = profile === 'boost' ? { down: 3600, up: 1400 } : { down: 128, up: 64 };
    out.push(set(['downKbps'], bound.down + 1, 'down above the profile bound'), set(['upKbps'], bound.up + 1, 'up above the profile bound'));
    out.push(set(['downKbps'], 0, 'no down rate'), set(['seq'], 0, 'seq 0'), set(['seq'], 2 ** 53, 'seq beyond 2^53'));
    if (profile === 'boost') out.push(set(['until'], null, 'a boost without an end'), set(['until'], m['issuedAt']!, 'a boost ending as it starts'));
    else out.push(set(['until'], '2099-01-01T00:00:00.000Z', 'a baseline with an end'));
  }
  if (k === 'acks' && m['outcome'] === 'rejected') out.push({ how: 'a rejection without a reason', path: ['reason'], value: deleteAt(m, ['reason']) });
  if (k === 'acks') out.push(set(['seq'], 0, 'ack of seq 0'));
  if (k === 'usage') out.push(set(['period'], '2026-13', 'month 13'), set(['period'], '26-03', 'a two-digit year'), set(['upBytes'], 2 ** 53, 'bytes beyond 2^53'));
  if (k === 'events') {
    out.push(set(['id'], 'evt/1', 'an id with a slash'), set(['id'], 'x'.repeat(65), 'a 65-character id'), set(['type'], 'explosion', 'an unknown event type'));
    if ('reason' in m) out.push(set(['reason'], 'r'.repeat(201), 'a 201-character reason'));
    if (m['type'] === 'fair-use') out.push(set(['thresholdPercent'], 90, 'a threshold of 90 %'));
    if (m['type'] === 'modem-found') out.push(set(['imei'], '12345', 'a 5-digit IMEI'));
    if (m['type'] === 'failover') out.push(set(['to'], 'dsl', 'a failover to DSL'));
    if (Array.isArray(m['evidence'])) out.push(set(['evidence'], Array.from({ length: 21 }, () => 'fact'), '21 pieces of evidence'));
  }
  if (k === 'status') {
    out.push(set(['modem', 'signalDbm'], -121, 'below −120 dBm'), set(['modem', 'signalDbm'], -29, 'above −30 dBm'));
    out.push(set(['dsl', 'downKbps'], 1_000_001, 'DSL above 1 Gbit/s'), set(['profile', 'downKbps'], 16_001, 'a stick rate above 16000'));
    out.push(set(['usage', 'period'], '2026-00', 'month 0'), set(['agent', 'version'], 'v'.repeat(33), 'a 33-character version'));
  }
  return out;
}

t.test('regression: a refusal of a payload that is not JSON quoted the payload raw', async (t) => {
  // V8's JSON error quotes the text around the fault: a newline or NUL from the peer ended up in
  // the one-line reason (and in the ingest's log line).
  const payloads = { 'a line break': '{"v":1,\n"x"\n', 'a NUL': '\u0000', 'an escape sequence': '{"a":\u001b[31m}', 'a line separator': '\u2028{' };
  for (const [what, payload] of Object.entries(payloads)) {
    const result = decodeMessage('status', payload);
    t.equal(result.ok, false);
    if (!result.ok) {
      t.match(result.error, /^status: not JSON \(/);
      t.notMatch(result.error, /[\x00-\x1f\x7f\u2028]/, `no raw control character in the reason for ${what}`);
    }
  }
});

t.test('every valid message is accepted and comes back unchanged (round trip)', async (t) => {
  await fuzz(
    t,
    'valid messages round-trip',
    fc.property(kindAndValid, ([k, message]) => {
      const encoded = encodeMessage(k, message as never);
      const decoded = decodeMessage(k, encoded);
      expect(decoded.ok, () => `${k} refused a valid message: ${decoded.ok ? '' : decoded.error}\n${JSON.stringify(message)}`);
      expect(isDeepStrictEqual(decoded.value, JSON.parse(JSON.stringify(message))), () => `${k} changed on the way: ${JSON.stringify(decoded.value)} ≠ ${JSON.stringify(message)}`);
      expect(decodeMessage(k, encoded.toString('utf8')).ok, `${k} as a string is refused`);
    }),
    1000,
  );
});

t.test('a message with a field removed, of the wrong type, empty or out of range is refused, naming the field', async (t) => {
  await fuzz(
    t,
    'typed breakages',
    fc.property(kindAndValid, fc.nat(), ([k, message], pick) => {
      const all = typedBreakages(k, message as Json);
      const broken = all[pick % all.length]!;
      const result = decodeMessage(k, JSON.stringify(broken.value));
      expect(!result.ok, () => `${k}: ${broken.how} was accepted: ${JSON.stringify(broken.value)}`);
      const unreadable = readableRefusal(k, result.error);
      expect(unreadable === null, () => `${k}: ${broken.how}: the reason ${unreadable}: ${JSON.stringify(result.error)}`);
      expect(names(result.error, broken.path), () => `${k}: ${broken.how}: the reason does not name ${broken.path.join('.')}: ${result.error}`);
    }),
    1000,
  );
  await fuzz(
    t,
    'rule breakages',
    fc.property(kindAndValid, fc.nat(), ([k, message], pick) => {
      const all = ruleBreakages(k, message as Record<string, Json>);
      const broken = all[pick % all.length]!;
      const result = decodeMessage(k, JSON.stringify(broken.value));
      expect(!result.ok, () => `${k}: ${broken.how} was accepted: ${JSON.stringify(broken.value)}`);
      const unreadable = readableRefusal(k, result.error);
      expect(unreadable === null, () => `${k}: ${broken.how}: the reason ${unreadable}: ${JSON.stringify(result.error)}`);
      expect(names(result.error, broken.path), () => `${k}: ${broken.how}: the reason does not name ${broken.path.join('.')}: ${result.error}`);
    }),
    1000,
  );
});

/** Random edits of a valid message's JSON or bytes: any outcome, but never a throw, and a clean one. */
const edit = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), to: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), key: fc.string({ maxLength: 12 }), to: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdits(message: Json, edits: readonly Edit[]): Buffer {
  let value = message;
  let bytes: Buffer | null = null;
  for (const e of edits) {
    if (bytes === null && (e.op === 'set' || e.op === 'delete' || e.op === 'add')) {
      const all = paths(value);
      if (e.op === 'add') value = value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...value, [e.key]: e.to as Json } : value;
      else if (all.length > 0) value = e.op === 'set' ? setAt(value, all[e.at % all.length]!.path, e.to as Json) : deleteAt(value, all[e.at % all.length]!.path);
      continue;
    }
    bytes ??= Buffer.from(JSON.stringify(value));
    if (e.op === 'flip' && bytes.length > 0) {
      const i = e.at % bytes.length;
      bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([bytes[i]! ^ (1 << e.bit)]), bytes.subarray(i + 1)]);
    } else if (e.op === 'insert') {
      const i = e.at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from(e.text), bytes.subarray(i)]);
    } else if (e.op === 'truncate') bytes = bytes.subarray(0, e.at % (bytes.length + 1));
  }
  return bytes ?? Buffer.from(JSON.stringify(value));
}

/** Whatever decodeMessage says about a payload must hold up: an acceptance is a valid message. */
function clean(k: TopicKind, payload: Buffer | string): void {
  let result: ReturnType<typeof decodeMessage>;
  try {
    result = decodeMessage(k, payload);
  } catch (error) {
    throw new Error(`decodeMessage('${k}') threw ${String(error)}`);
  }
  if (!result.ok) {
    const unreadable = readableRefusal(k, result.error);
    expect(unreadable === null, () => `the reason ${unreadable}: ${JSON.stringify(result.error)}`);
    return;
  }
  const again = validateMessage(k, result.value);
  expect(again.ok, () => `${k} accepted what it then refuses: ${again.ok ? '' : again.error}`);
  const round = decodeMessage(k, encodeMessage(k, result.value as never));
  expect(round.ok && isDeepStrictEqual(round.value, result.value), () => `${k}: an accepted message does not round-trip: ${JSON.stringify(result.value)}`);
}

t.test('mutated payloads, random JSON and random bytes never make decodeMessage throw or accept garbage', async (t) => {
  await fuzz(
    t,
    'edited payloads',
    fc.property(kindAndValid, fc.array(edit, { minLength: 1, maxLength: 4 }), kind, ([k, message], edits, asKind) => {
      const payload = applyEdits(message as Json, edits);
      clean(k, payload);
      clean(asKind, payload); // on another kind's topic
    }),
    1000,
  );
  await fuzz(
    t,
    'random JSON',
    fc.property(kind, fc.jsonValue(), (k, value) => clean(k, JSON.stringify(value) ?? 'null')),
    500,
  );
  await fuzz(
    t,
    'random bytes',
    fc.property(kind, fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: MAX_PAYLOAD_BYTES - 8, maxLength: MAX_PAYLOAD_BYTES + 64 }) }), (k, bytes) => {
      const payload = Buffer.from(bytes);
      clean(k, payload);
      const result = decodeMessage(k, payload);
      if (payload.length > MAX_PAYLOAD_BYTES) expect(!result.ok && result.error.includes(`exceeds ${MAX_PAYLOAD_BYTES}`), 'an oversize payload was not refused for its size');
    }),
    300,
  );
});

t.test('the size limit counts bytes, not characters, on both sides of MAX_PAYLOAD_BYTES', async (t) => {
  await fuzz(
    t,
    'payloads at the limit',
    fc.property(kindAndValid, fc.constantFrom(' ', 'é', '€', '🚀'), fc.integer({ min: -3, max: 3 }), ([k, message], filler, delta) => {
      const json = JSON.stringify(message);
      const target = MAX_PAYLOAD_BYTES + delta;
      const fillerBytes = Buffer.byteLength(filler);
      // Pad inside a key the schema strips; spaces after the JSON make up what a multi-byte filler cannot.
      const base = `{"pad":"",${json.slice(1)}`;
      const room = target - Buffer.byteLength(base);
      if (room < 0) return;
      const padded = `{"pad":"${filler.repeat(Math.floor(room / fillerBytes))}",${json.slice(1)}${' '.repeat(room % fillerBytes)}`;
      expect(Buffer.byteLength(padded) === target, `padding made ${Buffer.byteLength(padded)} bytes, not ${target}`);
      for (const payload of [padded, Buffer.from(padded)]) {
        const result = decodeMessage(k, payload);
        if (target > MAX_PAYLOAD_BYTES) expect(!result.ok && result.error.includes(`payload of ${target} bytes exceeds`), () => `${target} bytes: ${JSON.stringify(result)}`);
        else expect(result.ok, () => `${target} bytes (at most ${MAX_PAYLOAD_BYTES}) refused: ${result.ok ? '' : result.error}`);
      }
    }),
    200,
  );
});

t.test('deeply nested and prototype-polluting JSON is refused without a throw', async (t) => {
  for (const k of TOPIC_KINDS) {
    const deep = '['.repeat(MAX_PAYLOAD_BYTES / 2) + ']'.repeat(MAX_PAYLOAD_BYTES / 2);
    t.doesNotThrow(() => clean(k, deep), `${k}: ${MAX_PAYLOAD_BYTES / 2} nested arrays`);
    const polluted = JSON.stringify(FIXTURES[k]).replace(/^\{/, '{"__proto__":{"v":2,"seq":999},"constructor":{"prototype":{"x":1}},');
    const result = decodeMessage(k, polluted);
    t.ok(result.ok, `${k}: __proto__ and constructor keys are ignored`);
    t.equal(({} as Record<string, unknown>)['x'], undefined, 'nothing leaked into Object.prototype');
    if (result.ok) t.same(result.value, FIXTURES[k], `${k}: the message is the original`);
  }
});
