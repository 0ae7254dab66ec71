// The device status route's compiled serializer (issue 9) writes the same bytes as the zod
// serializer it replaced, for a full view and an empty one.
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import t from 'tap';
import { z } from 'zod';
import { compileSerializer, fastForm } from '../../../server/http/fast-serializer.js';
import { DeviceViewSchema, EventViewSchema } from '../../../server/services/views.js';

const RouteSchema = DeviceViewSchema.extend({ recentEvents: z.array(EventViewSchema) });
const zodWrite = zodSerializerCompiler({ schema: RouteSchema, method: 'GET', url: '/api/v1/devices/:deviceId' }) as (data: unknown) => string;
const fastWrite = compileSerializer(RouteSchema);
const at = '2026-11-26T13:00:00.000Z';

const full = {
  deviceId: 'fb-1',
  subscriptionId: 'sub-1',
  model: '7490',
  modelName: 'FRITZ!Box 7490',
  serialNumber: 'SN "quoted" \\ back',
  enrolledAt: at,
  revoked: false,
  presence: { state: 'online', at, reason: null },
  lastSeenAt: at,
  path: 'mobile',
  pathSince: at,
  dsl: { state: 'down', since: at, downKbps: null, upKbps: 1024.5 },
  signal: { modemState: 'connected', registration: 'home', technology: 'hspa', dbm: -87, operator: 'Vodafone.de' },
  profile: {
    desired: { seq: 3, profile: 'boost', downKbps: 16_000, upKbps: 2_000, until: at, boostId: 'b-1', suspended: false, issuedAt: at, published: true, ack: { seq: 3, outcome: 'applied', reason: null, at } },
    applied: { name: 'boost', seq: 3, downKbps: 16_000, upKbps: 2_000, until: at, boostId: 'b-1', suspended: false },
  },
  usage: { period: '2026-11', upBytes: 1, downBytes: 2, totalBytes: 3, seq: 9, at },
  router: { model: 'FRITZ!Box 7490', firmware: '7.57' },
  agentVersion: '0.1.0',
  statusAt: at,
  unavailableOnMobile: ['VoIP', 'port forwarding'],
  recentEvents: [
    { id: 'e-1', type: 'failover', at, receivedAt: at, details: { from: 'dsl', to: 'mobile', evidence: ['a', 'b'], nested: { n: 1, ok: true, none: null } } },
    { id: 'e-2', type: 'note', at, receivedAt: at, details: { text: 'line\nbreak, tab\t, "quote", \u00e9\u00e8 \u2028 \ud83d\ude80', empty: {} } },
    { id: 'e-3', type: 'empty', at, receivedAt: at, details: {} },
  ],
};

const empty = {
  ...full,
  serialNumber: null,
  revoked: true,
  presence: null,
  lastSeenAt: null,
  path: null,
  pathSince: null,
  dsl: null,
  signal: null,
  profile: { desired: null, applied: null },
  usage: null,
  router: null,
  agentVersion: null,
  statusAt: null,
  unavailableOnMobile: [],
  recentEvents: [],
};

t.test('the same bytes as the zod serializer', async (t) => {
  t.equal(fastWrite(full), zodWrite(full), 'a full view');
  t.equal(fastWrite(empty), zodWrite(empty), 'a view with every nullable part null');
  t.same(JSON.parse(fastWrite(full)), full);
});

t.test('only the declared properties leave, as with zod', async (t) => {
  const extra = { ...full, secret_hash: 'nope', presence: { ...full.presence, internal: 1 } };
  t.equal(fastWrite(extra), zodWrite(full));
  t.notMatch(fastWrite(extra), /secret_hash|internal/);
});

t.test('a missing required property is an error, not a partial answer', async (t) => {
  const { deviceId: _dropped, ...missing } = full;
  t.throws(() => fastWrite(missing));
});

t.test('nullable parts become plain null checks; records of anything one JSON.stringify', async (t) => {
  t.same(fastForm({ anyOf: [{ type: 'string' }, { type: 'null' }], description: 'd' }), { type: 'string', nullable: true, description: 'd' });
  t.same(fastForm({ type: ['number', 'null'] }), { type: 'number', nullable: true });
  t.same(fastForm({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} }), {});
  const object = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
  t.same(fastForm({ anyOf: [object, { type: 'null' }] }), { ...object, nullable: true });
  t.same(fastForm({ anyOf: [{ type: 'string' }, { type: 'number' }] }), { anyOf: [{ type: 'string' }, { type: 'number' }] }, 'other unions stay');
});
