// Every HTTP route under mutated bodies, queries, path parameters and headers (issue 11, fuzzing).
// The routes come from the running server's own route tree, so a route added later is fuzzed too.
// For every request: nothing throws past the boundary (no 5xx), every refusal is a problem
// document (application/problem+json, a `type` of the one table in server/errors.ts, the
// response's status, a detail), and a refused request stores nothing (the row count of every
// table, and the audit log, are the same before and after).
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import t from 'tap';
import { PROBLEM_CODES, PROBLEM_TYPE_BASE } from '../../../server/errors.js';
import { testDatabase } from '../../helpers/database.js';
import { PASSWORD, seed } from '../../server/helpers/fixtures.js';
import { startTestServer } from '../../server/helpers/server.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { lineMutation, mutateLine, NON_ASCII, ODD_VALUES } from '../helpers/mutate.js';
import { fillRoute, listRoutes, type RouteEntry } from '../helpers/routes.js';

/** Tables written by the clock-driven jobs on their own schedule, not by requests. */
const WRITTEN_BY_JOBS = new Set(['job_runs']);

interface Spec {
  paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
}

/** Every property name and enum value in a JSON schema, to make bodies that get past the first check. */
function harvest(schema: unknown, names: Set<string>, values: Set<string>): void {
  if (Array.isArray(schema)) return schema.forEach((s) => harvest(s, names, values));
  if (!schema || typeof schema !== 'object') return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value && typeof value === 'object') Object.keys(value).forEach((n) => names.add(n));
    if (key === 'enum' && Array.isArray(value)) value.filter((v) => typeof v === 'string').forEach((v) => values.add(v));
    harvest(value, names, values);
  }
}


t.test('every API route under mutated requests', async (t) => {
  // PostgreSQL answers slower: fewer random runs there, so the file stays near 20 s on both.
  const database = await testDatabase(t);
  const HOOK_TOKEN = 'hook-token-for-the-api-fuzz';
  const ts = await startTestServer(t, database, { config: { loginRateLimitMax: 1000, brokerHookToken: HOOK_TOKEN } });
  const app = ts.server.app;
  const { db } = ts.server.services.store;
  const mine = await seed(ts);
  const theirs = await seed(ts);
  const granted = await ts.call('POST', `/api/v1/subscriptions/${theirs.subscriptionId}/operator-boosts`, { token: ts.tokens.helpdesk, body: { durationMinutes: 60, reason: 'fuzz fixture' } });
  t.equal(granted.statusCode, 201, `a boost to fuzz with: ${granted.statusCode === 201 ? 'granted' : granted.body}`);
  // Tokens the fuzzer may revoke (the callers' own tokens are not in the pool of ids).
  const spare = await ts.call('POST', '/api/v1/operator-tokens', { token: ts.tokens.admin, body: { name: 'spare', role: 'noc' } });
  const customers = ts.server.services.customers;
  let customerToken = (await customers.login(mine.login, PASSWORD)).token;

  const routes = listRoutes(app);
  t.ok(routes.some((r) => r.url === '/api/v1/subscriptions/:subscriptionId/boosts' && r.method === 'POST'), 'the route tree is read');
  t.ok(routes.length > 60, `${routes.length} routes`);

  const spec = (await ts.call('GET', '/docs/json')).json() as Spec;
  const queryNames = new Set<string>();
  for (const methods of Object.values(spec.paths)) {
    for (const operation of Object.values(methods)) for (const parameter of operation.parameters ?? []) if (parameter.in === 'query') queryNames.add(parameter.name);
  }
  const names = new Set<string>(['token', 'login', 'password', 'email', 'username', 'clientid', 'topic', 'acc', 'action', '__proto__', 'constructor']);
  const enums = new Set<string>();
  harvest(spec, names, enums);
  const fieldNames = [...names];
  const enumValues = [...enums];

  const ids: Record<string, string[]> = {
    subscriptionId: [mine.subscriptionId, theirs.subscriptionId, 'sub_none'],
    deviceId: [mine.device!.deviceId, theirs.device!.deviceId, 'fb-none'],
    boostId: [granted.json().id as string, 'bst_none'],
    tokenId: [spare.json().id as string, 'tok_none'],
    ticketId: ['swp_none'],
    claimId: ['clm_none'],
    code: ['validation-failed', 'nope'],
    name: ['noc.js', 'customer.css', 'nope.js'],
    '*': ['index.html', 'swagger-initializer.js', 'x'],
  };

  /** Counts of every table (one query), and the audit log's newest row. */
  const tables = await db.introspection.getTables();
  const schema = tables.find((table) => table.name === 'subscriptions')?.schema;
  const counted = tables.filter((table) => table.schema === schema && !WRITTEN_BY_JOBS.has(table.name)).map((table) => table.name);
  t.ok(counted.includes('audit_log') && counted.includes('boosts'), `counting ${counted.length} tables`);
  const counts = async (): Promise<Record<string, number>> => {
    const union = sql.join(counted.map((name) => sql`select ${name} as name, count(*) as n from ${sql.table(name)}`), sql` union all `);
    const rows = (await sql<{ name: string; n: number | string }>`${union}`.execute(db)).rows;
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
  };

  const tokenFor = {
    none: () => null,
    noc: () => ts.tokens.noc,
    helpdesk: () => ts.tokens.helpdesk,
    admin: () => ts.tokens.admin,
    telephony: () => ts.tokens.telephony,
    customer: () => customerToken,
    /** An external broker calling the auth hook. */
    hook: () => HOOK_TOKEN,
  } as const;
  type Caller = keyof typeof tokenFor;

  /** Sends one request and checks what came back; returns the response for the caller's own checks. */
  const statuses: Record<string, number> = {};
  /**
   * A write that succeeded may go on after its answer (a contract ended "now" runs on the expiry
   * timer: audit and presence rows a moment later). Before the next request is judged, wait until
   * the counts hold still, so those rows are not blamed on it.
   */
  let settleFirst = false;
  const settledCounts = async (): Promise<Record<string, number>> => {
    let current = await counts();
    if (!settleFirst) return current;
    settleFirst = false;
    for (let round = 0; round < 50; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const next = await counts();
      if (counted.every((name) => next[name] === current[name])) return next;
      current = next;
    }
    return current;
  };
  const check = async (route: RouteEntry, request: InjectOptions & { url: string }, what: string): Promise<LightMyRequestResponse> => {
    const before = await settledCounts();
    let response: LightMyRequestResponse;
    try {
      response = await app.inject(request);
    } catch (error) {
      expect(false, () => `${what}: inject threw ${(error as Error).message}`);
    }
    const status = response.statusCode;
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status < 300 && route.method !== 'GET' && route.method !== 'HEAD') settleFirst = true;
    expect(status < 500, () => `${what}: ${status} ${response.body.slice(0, 400)}`);
    if (status >= 400) {
      const type = String(response.headers['content-type'] ?? '');
      expect(type.startsWith('application/problem+json'), () => `${what}: ${status} as ${type}: ${response.body.slice(0, 200)}`);
      if (route.method !== 'HEAD') {
        let problem: { type?: unknown; status?: unknown; code?: unknown; detail?: unknown; title?: unknown };
        try {
          problem = JSON.parse(response.body) as typeof problem;
        } catch {
          expect(false, () => `${what}: ${status} with a body that is not JSON: ${response.body.slice(0, 200)}`);
        }
        expect(
          typeof problem.code === 'string' && (PROBLEM_CODES as readonly string[]).includes(problem.code) && problem.type === PROBLEM_TYPE_BASE + problem.code,
          () => `${what}: not a problem of the table: ${response.body.slice(0, 300)}`,
        );
        expect(problem.status === status, () => `${what}: problem status ${String(problem.status)} on a ${status}`);
        expect(typeof problem.detail === 'string' && problem.detail.length > 0 && typeof problem.title === 'string', () => `${what}: no detail or title: ${response.body}`);
      }
      const after = await counts();
      const changed = counted.filter((name) => before[name] !== after[name]).map((name) => `${name} ${before[name]} -> ${after[name]}`);
      expect(changed.length === 0, () => `${what}: refused with ${status} ${response.body.slice(0, 200)} but stored: ${changed.join(', ')}`);
    }
    // The fuzzer may log the customer out (DELETE /sessions/current); log in again for the next run.
    if (!(await customers.resolve(customerToken))) customerToken = (await customers.login(mine.login, PASSWORD)).token;
    return response;
  };

  const headersFor = (route: RouteEntry, caller: Caller, extra: Record<string, string>): Record<string, string> => {
    const headers: Record<string, string> = { ...extra };
    const token = tokenFor[caller]();
    if (token && !headers['authorization'] && !headers['cookie']) headers['authorization'] = `Bearer ${token}`;
    // The live stream answers an event-stream Accept with a stream that never ends; inject would wait for ever.
    if (route.url === '/api/v1/live') headers['accept'] = 'application/json';
    return headers;
  };

  t.test('regressions: text with a NUL where the store keeps text', async (t) => {
    // Each was a 500 on PostgreSQL (its text cannot hold U+0000); now a validation-failed naming the place.
    for (const [method, url, body] of [
      ['POST', '/api/v1/subscriptions', { customer: { name: 'A\u0000B', login: 'nul-login', password: PASSWORD } }],
      ['POST', '/api/v1/operator-tokens', { name: 'n\u0000x', role: 'noc' }],
      ['GET', '/api/v1/audit?action=a%00b', undefined],
      ['DELETE', '/api/v1/operator-tokens/tok%00x', undefined],
    ] as const) {
      const response = await ts.call(method, url, { token: ts.tokens.admin, ...(body ? { body } : {}) });
      t.equal(response.statusCode, 400, `${method} ${url}`);
      t.equal(response.json().code, 'validation-failed');
    }
  });

  t.test('a sweep of every route with malformed input, by a caller the route lets in', async (t) => {
    const CANNED: Array<{ name: string; payload?: string; headers?: Record<string, string>; query?: string; param?: string }> = [
      { name: 'no body', query: '' },
      { name: 'invalid JSON', payload: '{"a": ', headers: { 'content-type': 'application/json' } },
      { name: 'JSON null', payload: 'null', headers: { 'content-type': 'application/json' } },
      { name: 'a JSON array', payload: '[1,2,3]', headers: { 'content-type': 'application/json' } },
      { name: 'a prototype key', payload: '{"__proto__": {"role": "admin"}, "constructor": {"prototype": {"x": 1}}}', headers: { 'content-type': 'application/json' } },
      { name: 'a text body', payload: 'hello', headers: { 'content-type': 'text/plain' } },
      { name: 'an unknown content type', payload: '<a/>', headers: { 'content-type': 'application/xml' } },
      { name: 'a body over the limit', payload: JSON.stringify({ x: 'y'.repeat(70 * 1024) }), headers: { 'content-type': 'application/json' } },
      { name: 'odd query', query: '?limit=-1&limit=99999999999999999999&since=yesterday&status[]=x&before=%00&a=%zz' },
      { name: 'odd parameter', param: encodeURIComponent("'; drop table subscriptions; --\u0000é") },
      { name: 'a dot-dot parameter', param: '..%2F..%2Fetc%2Fpasswd' },
      // Found by this suite: a session cookie with a malformed %-escape was a 500 (server/http/access.ts).
      { name: 'a malformed session cookie', headers: { cookie: 'sp_session=%zz' } },
      // Found by this suite: a bad %-escape or an over-long parameter got Fastify's own JSON, not a problem.
      { name: 'a malformed %-escape in the path', param: '%' },
      { name: 'an over-long parameter', param: 'x'.repeat(101) },
      // Found by this suite on PostgreSQL: a NUL in a name, a note, a filter or an id was a 500 there.
      { name: 'a NUL in every query parameter', query: `?${[...queryNames].map((n) => `${encodeURIComponent(n)}=x%00y`).join('&')}` },
      { name: 'a NUL in every body field', payload: JSON.stringify(Object.fromEntries(fieldNames.map((n) => [n, 'x\u0000y']))), headers: { 'content-type': 'application/json' } },
      { name: 'a NUL in a path parameter', param: 'tok%00x' },
    ];
    let requests = 0;
    const byCaller: Record<string, number> = {};
    // HEAD is GET without the body: the sweep takes GET (the random requests below take HEAD too).
    const swept = routes.filter((r) => r.method !== 'HEAD');
    for (const route of swept) {
      // A caller the access check lets through, so the input checks behind it are reached.
      let caller: Caller = 'none';
      for (const candidate of ['none', 'admin', 'noc', 'helpdesk', 'telephony', 'customer', 'hook'] as const) {
        const probe = await app.inject({ method: route.method as InjectOptions['method'], url: fillRoute(route.url, (n) => ids[n]?.[0] ?? 'x'), headers: headersFor(route, candidate, {}) });
        requests++;
        if (probe.statusCode !== 401 && probe.statusCode !== 403) {
          caller = candidate;
          break;
        }
      }
      byCaller[caller] = (byCaller[caller] ?? 0) + 1;
      for (const canned of CANNED) {
        const url = fillRoute(route.url, (n) => canned.param ?? ids[n]?.[0] ?? 'x') + (canned.query ?? '');
        const request = {
          method: route.method as InjectOptions['method'],
          url,
          headers: headersFor(route, caller, canned.headers ?? {}),
          ...(canned.payload !== undefined && !['GET', 'HEAD'].includes(route.method) ? { payload: canned.payload } : {}),
        };
        requests++;
        try {
          await check(route, request, `${caller} ${route.method} ${route.url} with ${canned.name}`);
        } catch (error) {
          t.fail((error as Error).message);
        }
      }
    }
    t.pass(`${requests} requests over ${swept.length} routes (callers let in: ${JSON.stringify(byCaller)})`);
  });

  t.test('random requests', async (t) => {
    const text = fc.oneof(
      fc.constantFrom(...ODD_VALUES),
      fc.constantFrom(...NON_ASCII),
      fc.constantFrom(...enumValues, 'x', '2026-03-10T09:00:00Z', '2026-03', 'me@example.nl', '020-3987656', '<script>alert(1)</script>', "' or '1'='1", '../../etc/passwd', '%00', 'a'.repeat(5000)),
      fc.string({ maxLength: 20 }),
    );
    const value: fc.Arbitrary<unknown> = fc.oneof(
      text,
      fc.integer(),
      fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 1, true, false, null),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const object = fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...fieldNames) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), value, { maxKeys: 6 });
    const payload = fc.oneof(
      { weight: 4, arbitrary: object.map((o) => ({ body: JSON.stringify(o), type: 'application/json' })) },
      { weight: 2, arbitrary: fc.tuple(object, fc.array(lineMutation, { minLength: 1, maxLength: 3 })).map(([o, m]) => ({ body: mutateLine(JSON.stringify(o), m), type: 'application/json' })) },
      { weight: 1, arbitrary: object.map((o) => ({ body: new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)] as [string, string])).toString(), type: 'application/x-www-form-urlencoded' })) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ body: JSON.stringify(v) ?? 'null', type: 'application/json' })) },
      { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '', 'x')).map(([b, type]) => ({ body: Buffer.from(b).toString('latin1'), type })) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    const query = fc.oneof(
      fc.constant(''),
      fc.dictionary(fc.constantFrom(...fieldNames, 'limit', 'cursor', 'since', 'until', 'status', 'number', 'action', 'token'), text, { maxKeys: 4 }).map((q) => `?${new URLSearchParams(q as Record<string, string>).toString()}`),
      fc.string({ maxLength: 30 }).map((q) => `?${q.replace(/#/g, '')}`),
    );
    const param = fc.oneof(
      { weight: 3, arbitrary: fc.constant(null) },
      { weight: 2, arbitrary: text.map((v) => encodeURIComponent(v)) },
      { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '..', '.', '%2F', '%00', '~', '!', "'") },
    );
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
    const headers = fc.record(
      {
        accept: fc.constantFrom('*/*', 'application/json', 'text/html', 'application/problem+json', 'text/event-stream', 'x/y;q=0', ''),
        cookie: fc.oneof(fc.constant('sp_session=__customer__'), printable.map((v) => `sp_session=${v}`), printable),
        authorization: fc.oneof(fc.constantFrom('Bearer ', 'Bearer spo_', 'Bearer sps_', 'Basic Zm9vOmJhcg==', 'bearer __customer__', 'Bearer __admin__ x'), printable),
        'x-forwarded-for': fc.constantFrom('10.0.0.1', '::1', 'x'),
        'content-length': fc.constantFrom('0', '5'),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
      },
      { requiredKeys: [] },
    );
    const caller = fc.constantFrom<Caller>('none', 'noc', 'helpdesk', 'admin', 'telephony', 'customer', 'hook');
    const request = fc.record({ route: fc.constantFrom(...routes), caller, payload, query, param, headers, choice: fc.nat() });

    await fuzz(
      t,
      'mutated requests to every route',
      fc.asyncProperty(request, async (r) => {
        const url = fillRoute(r.route.url, (name) => r.param ?? ids[name]?.[r.choice % ids[name]!.length] ?? 'x') + r.query;
        const extra = Object.fromEntries(
          Object.entries(r.headers).map(([k, v]) => [k, v.replace('__customer__', customerToken).replace('__admin__', ts.tokens.admin)]),
        );
        // A content-length that lies is the socket's business (inject would only hang); leave it out.
        delete extra['content-length'];
        const withBody = r.payload !== null && !['GET', 'HEAD'].includes(r.route.method);
        if (withBody && r.payload!.type !== '') extra['content-type'] = r.payload!.type;
        await check(
          r.route,
          { method: r.route.method as InjectOptions['method'], url, headers: headersFor(r.route, r.caller, extra), ...(withBody ? { payload: r.payload!.body } : {}) },
          `${r.caller} ${r.route.method} ${url}`,
        );
      }),
      database.kind === 'postgres' ? 500 : 1000,
    );
    // Not an assertion: how far the random requests got (a run of only 401s would test little).
    t.comment(`answers by status: ${JSON.stringify(statuses)}`);
  });
});
