// Who may do what: operator roles on every route, customer sessions for their own subscription
// only, rate-limited login, operator tokens created, listed and revoked.
import t from 'tap';
import type { OperatorRole } from '../../../server/db/schema.js';
import { testDatabase } from '../../helpers/database.js';
import { login, PASSWORD, seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';

type Caller = OperatorRole | 'customer';
/** The operators who act on customers; `telephony` (R18) may only look callers up. */
const OPERATORS: OperatorRole[] = ['noc', 'helpdesk', 'admin'];
const CALLERS: Caller[] = [...OPERATORS, 'telephony', 'customer'];

t.test('access', async (t) => {
  const ts = await startTestServer(t, await testDatabase(t), { config: { loginRateLimitMax: 5 } });
  const mine = await seed(ts);
  const theirs = await seed(ts);
  const customerToken = await login(ts, mine.login);
  const otherCustomer = await login(ts, theirs.login);
  const tokenFor = (caller: Caller) => (caller === 'customer' ? customerToken : ts.tokens[caller]);

  t.test('every route checks the role (wrong role: forbidden-role)', async (t) => {
    const sub = mine.subscriptionId;
    const dev = mine.device!.deviceId;
    let n = 0;
    const unique = () => `matrix-${++n}-${Date.now()}`;
    const cases: Array<{ method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; body?: () => unknown; allowed: Caller[] }> = [
      { method: 'POST', url: '/api/v1/subscriptions', body: () => ({ customer: { name: 'M', login: unique(), password: PASSWORD } }), allowed: ['helpdesk', 'admin'] },
      { method: 'GET', url: '/api/v1/subscriptions', allowed: OPERATORS },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}`, allowed: [...OPERATORS, 'customer'] },
      { method: 'POST', url: `/api/v1/subscriptions/${theirs.subscriptionId}/suspend`, body: () => ({ reason: 'equipment-stolen', note: 'matrix test' }), allowed: OPERATORS },
      { method: 'POST', url: `/api/v1/subscriptions/${theirs.subscriptionId}/restore`, allowed: OPERATORS },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/devices`, body: () => ({ model: 'FRITZ!Box 7390' }), allowed: ['noc', 'admin'] },
      { method: 'GET', url: '/api/v1/devices', allowed: OPERATORS },
      { method: 'GET', url: `/api/v1/devices/${dev}`, allowed: OPERATORS },
      { method: 'GET', url: `/api/v1/devices/${dev}/events`, allowed: OPERATORS },
      { method: 'POST', url: `/api/v1/devices/fb-none/credentials`, allowed: ['admin'] },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/boosts`, body: () => ({ email: 'me@example.nl' }), allowed: ['customer'] },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/operator-boosts`, body: () => ({ durationMinutes: 60, reason: 'matrix test' }), allowed: ['helpdesk', 'admin'] },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}/boosts`, allowed: [...OPERATORS, 'customer'] },
      { method: 'GET', url: '/api/v1/boosts', allowed: OPERATORS },
      { method: 'GET', url: '/api/v1/boosts/bst_none', allowed: [...OPERATORS, 'customer'] },
      { method: 'POST', url: '/api/v1/boosts/bst_none/cancel', allowed: ['helpdesk', 'admin', 'customer'] },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}/usage`, allowed: [...OPERATORS, 'customer'] },
      { method: 'GET', url: '/api/v1/audit', allowed: ['helpdesk', 'admin'] },
      { method: 'POST', url: '/api/v1/operator-tokens', body: () => ({ name: unique(), role: 'noc' }), allowed: ['admin'] },
      { method: 'GET', url: '/api/v1/operator-tokens', allowed: ['admin'] },
      { method: 'DELETE', url: '/api/v1/operator-tokens/tok_none', allowed: ['admin'] },
      { method: 'GET', url: '/api/v1/ingest/stats', allowed: ['noc', 'admin'] },
      { method: 'GET', url: '/api/v1/sessions/current', allowed: ['customer'] },
      // R12-R24. State-changing routes get a body that fails validation where the access check
      // (which comes first) is all this matrix is about, so the subscriptions stay as they are.
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/swap-tickets`, body: () => ({ equipment: 'toaster' }), allowed: ['helpdesk', 'admin'] },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}/swap-tickets`, allowed: [...OPERATORS, 'customer'] },
      { method: 'GET', url: '/api/v1/swap-tickets?status=open', allowed: OPERATORS },
      { method: 'GET', url: '/api/v1/swap-tickets/swp_none', allowed: OPERATORS },
      { method: 'POST', url: '/api/v1/swap-tickets/swp_none/events', body: () => ({ type: 'arrive' }), allowed: OPERATORS },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/guarantee-claims`, body: () => ({ period: 'March' }), allowed: ['helpdesk', 'admin', 'customer'] },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}/guarantee-claims`, allowed: [...OPERATORS, 'customer'] },
      { method: 'GET', url: '/api/v1/guarantee-claims?status=pending', allowed: OPERATORS },
      { method: 'GET', url: '/api/v1/guarantee-claims/clm_none', allowed: [...OPERATORS, 'customer'] },
      { method: 'POST', url: '/api/v1/guarantee-claims/clm_none/reassess', allowed: ['noc', 'admin'] },
      { method: 'POST', url: '/api/v1/guarantee-claims/clm_none/decision', body: () => ({ verdict: 'eligible', note: 'matrix test' }), allowed: ['noc', 'admin'] },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}/contract`, allowed: [...OPERATORS, 'customer'] },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/contract/delivery`, body: () => ({ deliveredAt: 'yesterday' }), allowed: ['helpdesk', 'admin'] },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/contract/cancellation`, body: () => ({ channel: 'fax' }), allowed: ['helpdesk', 'admin', 'customer'] },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/contract/annulment`, body: () => ({ note: 7 }), allowed: ['helpdesk', 'admin', 'customer'] },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/contract/end`, body: () => ({ reason: 'boredom' }), allowed: ['noc', 'admin'] },
      { method: 'POST', url: `/api/v1/subscriptions/${sub}/contract/kit-return`, body: () => ({ returnedAt: 'today' }), allowed: ['helpdesk', 'admin'] },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}/coverage`, allowed: [...OPERATORS, 'customer'] },
      { method: 'GET', url: '/api/v1/coverage/watchlist', allowed: ['noc', 'admin'] },
      { method: 'GET', url: `/api/v1/subscriptions/${sub}/entitlements`, allowed: [...OPERATORS, 'customer'] },
      { method: 'PUT', url: `/api/v1/subscriptions/${sub}/entitlements/licence-seats`, body: () => ({ licenceSeats: null }), allowed: ['helpdesk', 'admin'] },
      { method: 'GET', url: '/api/v1/helpdesk/lookup?number=020-3987656', allowed: ['telephony', 'helpdesk', 'admin'] },
      { method: 'GET', url: '/api/v1/calendars', allowed: [...OPERATORS, 'telephony'] },
      // Issue 7 (demo panel, live updates): without `Accept: text/event-stream` the live route answers 406.
      { method: 'GET', url: '/api/v1/demo', allowed: OPERATORS },
      { method: 'GET', url: '/api/v1/live', allowed: OPERATORS },
    ];

    // The matrix covers every non-public route in the OpenAPI document.
    const spec = (await ts.call('GET', '/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
    const covered = new Set(cases.map((c) => `${c.method} ${c.url.replace(sub, '{subscriptionId}').replace(theirs.subscriptionId, '{subscriptionId}').replace(dev, '{deviceId}').replace('fb-none', '{deviceId}').replace('bst_none', '{boostId}').replace('tok_none', '{tokenId}').replace('swp_none', '{ticketId}').replace('clm_none', '{claimId}').split('?')[0]}`));
    // Outside the matrix: public routes, the broker hook (its own token) and /metrics (its own token or loopback).
    const open = /^\/api\/v1\/(problems|broker\/)|^\/(healthz|readyz|metrics)$|^\/api\/v1\/sessions$/;
    for (const [path, methods] of Object.entries(spec.paths)) {
      if (open.test(path)) continue;
      for (const method of Object.keys(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (key === 'DELETE /api/v1/sessions/current') continue; // logout, tested below
        t.ok(covered.has(key), `${key} is in the role matrix`);
      }
    }

    for (const c of cases) {
      for (const caller of CALLERS) {
        const response = await ts.call(c.method, c.url, { token: tokenFor(caller), ...(c.body ? { body: c.body() } : {}) });
        const what = `${caller} ${c.method} ${c.url}`;
        if (c.allowed.includes(caller)) {
          t.notOk([401, 403].includes(response.statusCode), `${what} is allowed (${response.statusCode})`);
        } else {
          t.equal(response.statusCode, 403, `${what} is refused`);
          t.equal(response.json().type, '/api/v1/problems/forbidden-role', `${what}: forbidden-role`);
        }
      }
      const anonymous = await ts.call(c.method, c.url, c.body ? { body: c.body() } : {});
      t.equal(anonymous.json().code, 'unauthenticated', `anonymous ${c.method} ${c.url}`);
    }
  });

  t.test('a customer sees only their own subscription (wrong-customer)', async (t) => {
    const own = await ts.call('GET', `/api/v1/subscriptions/${mine.subscriptionId}`, { token: customerToken });
    t.equal(own.statusCode, 200);
    t.equal(own.json().customer.login, mine.login);
    for (const [method, url, body] of [
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}`, undefined],
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}/usage`, undefined],
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}/boosts`, undefined],
      ['POST', `/api/v1/subscriptions/${theirs.subscriptionId}/boosts`, { email: 'me@example.nl' }],
      // R12-R24: the customer's own routes, for another subscription (valid bodies: the refusal is the owner's).
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}/swap-tickets`, undefined],
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}/guarantee-claims`, undefined],
      ['POST', `/api/v1/subscriptions/${theirs.subscriptionId}/guarantee-claims`, { period: '2026-03' }],
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}/contract`, undefined],
      ['POST', `/api/v1/subscriptions/${theirs.subscriptionId}/contract/cancellation`, {}],
      ['POST', `/api/v1/subscriptions/${theirs.subscriptionId}/contract/annulment`, {}],
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}/coverage`, undefined],
      ['GET', `/api/v1/subscriptions/${theirs.subscriptionId}/entitlements`, undefined],
    ] as const) {
      const response = await ts.call(method, url, { token: customerToken, ...(body ? { body } : {}) });
      t.equal(response.statusCode, 403, `${method} ${url}`);
      t.equal(response.json().type, '/api/v1/problems/wrong-customer');
    }
    // A boost of the other customer, by id.
    await ts.call('POST', `/api/v1/subscriptions/${theirs.subscriptionId}/devices`, { token: ts.tokens.admin, body: { model: 'FRITZ!Box 7360' } });
    const granted = await ts.call('POST', `/api/v1/subscriptions/${theirs.subscriptionId}/operator-boosts`, {
      token: ts.tokens.helpdesk,
      body: { durationMinutes: 90, reason: 'their outage' },
    });
    t.equal(granted.statusCode, 201, granted.body);
    const boostId = granted.json().id as string;
    t.equal((await ts.call('GET', `/api/v1/boosts/${boostId}`, { token: otherCustomer })).statusCode, 200, 'its owner may read it');
    const read = await ts.call('GET', `/api/v1/boosts/${boostId}`, { token: customerToken });
    t.equal(read.json().code, 'wrong-customer');
    const cancel = await ts.call('POST', `/api/v1/boosts/${boostId}/cancel`, { token: customerToken });
    t.equal(cancel.json().code, 'wrong-customer');
  });

  t.test('login: wrong password, unknown login, cookie session, logout', async (t) => {
    const wrong = await ts.call('POST', '/api/v1/sessions', { body: { login: mine.login, password: 'not it at all' } });
    t.equal(wrong.statusCode, 401);
    t.equal(wrong.json().type, '/api/v1/problems/invalid-credentials');
    const unknown = await ts.call('POST', '/api/v1/sessions', { body: { login: 'nobody-at-all', password: 'whatever' } });
    t.equal(unknown.json().code, 'invalid-credentials', 'the same answer for an unknown login');

    const ok = await ts.call('POST', '/api/v1/sessions', { body: { login: mine.login.toUpperCase(), password: PASSWORD } });
    t.equal(ok.statusCode, 201, 'login names are case-insensitive');
    const cookie = String(ok.headers['set-cookie']);
    t.match(cookie, /^sp_session=sps_[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    const viaCookie = await ts.call('GET', '/api/v1/sessions/current', { headers: { cookie: cookie.split(';')[0]! } });
    t.match(viaCookie.json(), { subscriptionId: mine.subscriptionId });

    const token = ok.json().token as string;
    t.equal((await ts.call('DELETE', '/api/v1/sessions/current', { token })).statusCode, 204);
    const after = await ts.call('GET', '/api/v1/sessions/current', { token });
    t.equal(after.json().code, 'unauthenticated', 'a logged-out session is gone');
  });

  t.test('sessions expire', async (t) => {
    const token = await login(ts, mine.login);
    (ts.clock as import('../../../shared/clock.js').TestClock).advance(61 * 60_000);
    t.equal((await ts.call('GET', '/api/v1/sessions/current', { token })).json().code, 'unauthenticated');
  });

  t.test('login is rate-limited per address and login name', async (t) => {
    const victim = await seed(ts, { routerModel: null });
    for (let i = 0; i < 5; i++) {
      const response = await ts.call('POST', '/api/v1/sessions', { body: { login: victim.login, password: `guess ${i}` } });
      t.equal(response.statusCode, 401);
    }
    const limited = await ts.call('POST', '/api/v1/sessions', { body: { login: victim.login, password: PASSWORD } });
    t.equal(limited.statusCode, 429);
    t.equal(limited.json().type, '/api/v1/problems/rate-limited');
    t.ok(Number(limited.headers['retry-after']) > 0, 'says when to try again');
    t.equal((await ts.call('POST', '/api/v1/sessions', { body: { login: mine.login, password: PASSWORD } })).statusCode, 201, 'other logins are unaffected');
  });

  t.test('operator tokens: created once, listed without secrets, revoked', async (t) => {
    const created = await ts.call('POST', '/api/v1/operator-tokens', { token: ts.tokens.admin, body: { name: 'alice', role: 'noc' } });
    t.equal(created.statusCode, 201);
    const { id, token } = created.json() as { id: string; token: string };
    t.match(token, /^spo_[A-Za-z0-9_-]{40,}$/);
    t.equal((await ts.call('GET', '/api/v1/devices', { token })).statusCode, 200, 'the new token works');
    const list = await ts.call('GET', '/api/v1/operator-tokens', { token: ts.tokens.admin });
    t.notOk(list.body.includes(token), 'the list never shows tokens');
    t.match(list.json().items.find((i: { id: string }) => i.id === id), { name: 'alice', role: 'noc', revokedAt: null, lastUsedAt: String });
    t.equal((await ts.call('DELETE', `/api/v1/operator-tokens/${id}`, { token: ts.tokens.admin })).statusCode, 204);
    t.equal((await ts.call('GET', '/api/v1/devices', { token })).json().code, 'unauthenticated', 'a revoked token is refused');
    t.equal((await ts.call('DELETE', `/api/v1/operator-tokens/${id}`, { token: ts.tokens.admin })).json().code, 'token-not-found');
    const audit = await ts.call('GET', '/api/v1/audit?action=operator-token.revoked', { token: ts.tokens.admin });
    t.match(audit.json().items[0], { action: 'operator-token.revoked', subjectId: id, actor: { kind: 'operator', id: 'admin-test' } });
  });
});
