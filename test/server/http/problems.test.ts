// Errors: one table, every code used in the server is documented there, every answer is an
// RFC 9457 problem document with a stable type; OpenAPI at /docs from the same schemas.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import t from 'tap';
import { accessPlugin } from '../../../server/http/access.js';
import { PROBLEMS, PROBLEM_CODES } from '../../../server/errors.js';
import { RULE_ERRORS, RULE_ERROR_CODES } from '../../../server/rules/errors.js';
import { testDatabase } from '../../helpers/database.js';
import { startTestServer } from '../helpers/server.js';

const serverDir = new URL('../../../server/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

t.test('every problem code the server uses is in the one table, with a title and a status', async (t) => {
  const used = new Set<string>();
  for (const file of sources(serverDir)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/new (?:ApiError|RuleError)\(\s*'([a-z-]+)'/g)) used.add(match[1]!);
    for (const match of text.matchAll(/(?<![.\w])refuse\(\s*'([a-z-]+)'/g)) used.add(match[1]!);
  }
  t.ok(used.size >= 30, `found ${used.size} codes in use`);
  for (const code of RULE_ERROR_CODES) t.ok(used.has(code), `rule code ${code} is thrown somewhere`);
  for (const code of used) t.ok(Object.hasOwn(PROBLEMS, code), `${code} is documented in server/errors.ts`);
  for (const code of PROBLEM_CODES) {
    const entry = PROBLEMS[code];
    t.ok(entry.title.length > 10 && entry.status >= 400 && entry.status < 600, `${code} has a title and an error status`);
  }
});

t.test('the rules’ codes (RuleError) are problem types with the status the rules suggest', async (t) => {
  for (const code of RULE_ERROR_CODES) {
    t.ok(Object.hasOwn(PROBLEMS, code), `${code} is in the problem table`);
    t.equal(PROBLEMS[code].status, RULE_ERRORS[code].status, `${code}: ${RULE_ERRORS[code].status}`);
  }
});

t.test('a route without an access rule stops start-up', async (t) => {
  const app = Fastify();
  await app.register(accessPlugin, { resolveOperator: async () => null, resolveSession: async () => null, brokerHookToken: undefined });
  t.throws(() => app.get('/api/v1/forgotten', async () => 'oops'), /declares no access/);
  await app.close();
});

t.test('problem documents over HTTP', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t));

  t.test('the table is served, and each type resolves to its entry', async (t) => {
    const list = await ts.call('GET', '/api/v1/problems');
    t.equal(list.statusCode, 200);
    const items = list.json().items as Array<{ code: string; type: string }>;
    t.same(items.map((i) => i.code), PROBLEM_CODES);
    const one = await ts.call('GET', items.find((i) => i.code === 'boost-quota-exhausted')!.type);
    t.match(one.json(), { code: 'boost-quota-exhausted', status: 409, title: /R7/ });
  });

  t.test('an unknown route', async (t) => {
    const response = await ts.call('GET', '/api/v1/nothing-here?x=1');
    t.equal(response.statusCode, 404);
    t.match(response.headers['content-type'], /^application\/problem\+json/);
    t.match(response.json(), { type: '/api/v1/problems/not-found', status: 404, code: 'not-found', detail: /\/api\/v1\/nothing-here/ });
  });

  t.test('a malformed body: not JSON, wrong shape, wrong media type, too large', async (t) => {
    const notJson = await ts.call('POST', '/api/v1/subscriptions', {
      token: ts.tokens.admin,
      body: '{"customer": ',
      headers: { 'content-type': 'application/json' },
    });
    t.match(notJson.json(), { status: 400, code: 'malformed-body' });
    const shape = await ts.call('POST', '/api/v1/subscriptions', { token: ts.tokens.admin, body: { customer: { name: '', login: 'x' } } });
    t.equal(shape.statusCode, 400);
    t.match(shape.json(), { type: '/api/v1/problems/validation-failed', errors: [{ in: 'body' }] });
    const paths = (shape.json().errors as Array<{ path: string }>).map((e) => e.path);
    t.ok(paths.includes('customer.password') && paths.includes('customer.login'), `names the fields: ${paths.join(', ')}`);
    const media = await ts.call('POST', '/api/v1/subscriptions', { token: ts.tokens.admin, body: '<customer/>', headers: { 'content-type': 'application/xml' } });
    t.match(media.json(), { status: 415, code: 'unsupported-media-type' });
    const big = await ts.call('POST', '/api/v1/subscriptions', {
      token: ts.tokens.admin,
      body: JSON.stringify({ reference: 'x'.repeat(100_000) }),
      headers: { 'content-type': 'application/json' },
    });
    t.match(big.json(), { status: 413, code: 'payload-too-large' });
  });

  t.test('unauthenticated callers learn nothing about the schema', async (t) => {
    const response = await ts.call('POST', '/api/v1/subscriptions', { body: { nonsense: true } });
    t.match(response.json(), { status: 401, code: 'unauthenticated' });
  });

  t.test('OpenAPI at /docs from the route schemas', async (t) => {
    const doc = await ts.call('GET', '/docs/json');
    t.equal(doc.statusCode, 200);
    const spec = doc.json() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    t.match(spec.openapi, /^3\./);
    for (const path of ['/api/v1/subscriptions/{subscriptionId}/boosts', '/api/v1/devices/{deviceId}', '/api/v1/sessions', '/api/v1/broker/emqx/authz']) {
      t.ok(spec.paths[path], `${path} is documented`);
    }
    t.ok(spec.paths['/api/v1/subscriptions/{subscriptionId}/boosts']!['post']!.responses['409'], 'refusals are documented');
    // The NOC dashboard's two lists (R12, R16) render from these response schemas.
    type Schema = { properties: Record<string, Schema & { enum?: string[] }>; items: Schema };
    const listItem = (path: string) =>
      (spec.paths[path]!['get']!.responses['200'] as { content: { 'application/json': { schema: Schema } } }).content['application/json'].schema.properties['items']!.items;
    const ticket = listItem('/api/v1/swap-tickets');
    t.same(ticket.properties['slaStatus']!.enum, ['ok', 'at-risk', 'breached']);
    for (const field of ['subscription', 'equipment', 'stage', 'reportedAt', 'deadline', 'businessTimeLeftMs']) t.ok(ticket.properties[field], `a swap ticket has ${field}`);
    const claim = listItem('/api/v1/guarantee-claims');
    t.same(claim.properties['verdict']!.enum, ['eligible', 'not-eligible', 'undecidable', 'already-refunded']);
    t.same(claim.properties['status']!.enum, ['pending', 'decided']);
    const ui = await ts.call('GET', '/docs/');
    t.equal(ui.statusCode, 200);
    t.match(ui.headers['content-type'], /html/);
  });

  t.test('health and readiness', async (t) => {
    t.same((await ts.call('GET', '/healthz')).json(), { status: 'ok' });
    t.match((await ts.call('GET', '/readyz')).json(), { status: 'ready', checks: { database: 'ok', mqtt: 'ok' } });
  });
});
