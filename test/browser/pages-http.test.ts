// The pages and the live route over HTTP, without a browser: the security headers (CSP
// `default-src 'self'`), compression, revalidation, no secrets in what is served, and the
// live route's access rules and events. The browser tests (customer.test.ts, noc.test.ts) show
// the same pages working in Chromium.
import t from 'tap';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { pageWeights } from '../../server/http/pages/index.js';
import { seedSubscription } from '../../server/seed.js';
import { failoverEvent, status } from '../fixtures/messages.js';
import { testDatabase } from '../helpers/database.js';
import { connectDevice } from '../server/helpers/device.js';
import { startTestServer } from '../server/helpers/server.js';
import { waitFor } from '../server/helpers/wait.js';

const PAGE_URLS = ['/', '/noc', '/assets/customer.js', '/assets/noc.js', '/assets/common.css', '/assets/customer.css', '/assets/noc.css', '/assets/icon.svg'];

t.test('pages are served with a strict CSP, compressed, revalidated, and embed no secrets', async (t) => {
  const { call, tokens, config } = await startTestServer(t, await testDatabase(t));
  for (const url of PAGE_URLS) {
    const plain = await call('GET', url);
    t.equal(plain.statusCode, 200, `${url} is served`);
    t.match(plain.headers['content-security-policy'], /(^|; )default-src 'self'(;|$)/, `${url}: CSP default-src 'self'`);
    t.notMatch(plain.headers['content-security-policy'], /unsafe-inline|unsafe-eval/, `${url}: no inline code allowed`);
    t.equal(plain.headers['x-content-type-options'], 'nosniff');
    t.equal(plain.headers['x-frame-options'], 'DENY');
    t.equal(plain.headers['content-encoding'], undefined, `${url}: identity without accept-encoding`);
    for (const secret of [tokens.noc, tokens.admin, config.mqttUsername]) t.notOk(plain.body.includes(secret), `${url} holds no secret`);

    const gzip = await call('GET', url, { headers: { 'accept-encoding': 'gzip, deflate' } });
    t.equal(gzip.headers['content-encoding'], 'gzip', `${url}: gzip for browsers on plain HTTP`);
    t.equal(gunzipSync(gzip.rawPayload).toString(), plain.body, `${url}: the same content compressed`);
    t.ok(gzip.rawPayload.length < plain.rawPayload.length, `${url}: compressed is smaller`);
    t.equal((await call('GET', url, { headers: { 'accept-encoding': 'gzip, br' } })).headers['content-encoding'], 'br');

    const again = await call('GET', url, { headers: { 'if-none-match': String(plain.headers['etag']) } });
    t.equal(again.statusCode, 304, `${url}: unchanged costs a 304`);
  }
  const html = (await call('GET', '/')).body;
  t.notMatch(html, /<script>|<style>|\son[a-z]+=/i, 'no inline scripts, styles or event handlers (the CSP forbids them)');
  t.notMatch(html, /https?:\/\//, 'nothing from other origins (no CDN, no web fonts)');
  t.equal((await call('GET', '/assets/../main.ts')).statusCode, 404, 'only the listed assets are reachable');
  t.equal((await call('GET', '/assets/index.ts')).statusCode, 404);
  t.equal((await call('GET', '/favicon.ico')).statusCode, 301);
});

t.test('R6: the page stays under 50 KB compressed, counted file by file', async (t) => {
  const weights = pageWeights();
  const customer = ['customer.html', 'common.css', 'customer.css', 'customer.js', 'icon.svg'].reduce((sum, name) => sum + weights[name]!.gzip, 0);
  t.comment(`customer page files, gzip: ${customer} bytes; ${JSON.stringify(weights)}`);
  t.ok(customer < 50 * 1024, `customer page files gzip ${customer} bytes < 50 KB`);
});

t.test('the customer login cookie is HttpOnly and SameSite', async (t) => {
  const server = await startTestServer(t, await testDatabase(t));
  await seedSubscription(server.server, { customer: { name: 'Bo', login: 'bo.pages', password: 'a long password' }, routerModel: 'FRITZ!Box 7490' });
  const login = await server.call('POST', '/api/v1/sessions', { body: { login: 'bo.pages', password: 'a long password' } });
  t.equal(login.statusCode, 201);
  t.match(String(login.headers['set-cookie']), /^sp_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
});

t.test('the live route: operators only, a hello, then a device event when the router reports', async (t) => {
  const server = await startTestServer(t, await testDatabase(t));
  const seeded = await seedSubscription(server.server, {
    customer: { name: 'Cas', login: 'cas.live', password: 'a long password' },
    routerModel: 'FRITZ!Box 7490',
  });
  server.track(seeded.device!.deviceId);
  const base = server.server.url;

  const anonymous = await openLive(base, null);
  t.equal(anonymous.status, 401, 'no token: 401');
  const login = await server.call('POST', '/api/v1/sessions', { body: { login: 'cas.live', password: 'a long password' } });
  const session = (login.json() as { token: string }).token;
  const asCustomer = await openLive(base, session);
  t.equal(asCustomer.status, 403, 'a customer session may not listen');
  await asCustomer.ended();

  const noAccept = await openLive(base, server.tokens.noc, null);
  t.equal(noAccept.status, 406, 'a client that does not accept an event stream gets an answer, not an endless request');
  await noAccept.ended();
  const viaInject = await server.call('GET', '/api/v1/live', { token: server.tokens.noc });
  t.equal(viaInject.json().code, 'not-acceptable');
  const anyType = await openLive(base, server.tokens.helpdesk, '*/*');
  t.equal(anyType.status, 200, 'Accept: */* (curl, fetch) opens the stream');
  anyType.close();

  for (const role of ['helpdesk', 'admin'] as const) {
    const stream = await openLive(base, server.tokens[role]);
    t.equal(stream.status, 200, `${role} may listen`);
    stream.close();
  }

  const events = await openLive(base, server.tokens.noc);
  t.teardown(() => events.close());
  t.equal(events.status, 200);
  t.match(events.headers['content-type'], /^text\/event-stream/);
  t.equal(events.headers['cache-control'], 'no-cache, no-transform');
  t.match(await events.next('hello'), { heartbeatMs: Number });

  const device = await connectDevice(t, seeded.device!);
  t.teardown(() => device.close());
  await device.publish('status', status({ at: new Date(server.clock.now()).toISOString() }), { retain: true });
  const changed = (await events.next('device')) as { deviceId: string; causes: string[]; device: { path: string; signal: { dbm: number } } };
  t.equal(changed.deviceId, seeded.device!.deviceId);
  t.ok(changed.causes.includes('status'), 'caused by the status');
  t.match(changed.device, { path: 'mobile', signal: { dbm: -79 } }, 'with the device view as the NOC lists it');

  await device.publish('events', failoverEvent({ id: 'evt-live-1', at: new Date(server.clock.now()).toISOString() }));
  t.match(await events.next('device'), { deviceId: seeded.device!.deviceId, causes: ['events'] }, 'a new event of the timeline');
  await device.publish('events', failoverEvent({ id: 'evt-live-1', at: new Date(server.clock.now()).toISOString() }));
  await waitFor(() => server.server.ingest.stats.snapshot().ignored.duplicate >= 1, 'the duplicate to be ignored');

  // A boost changes the desired state: the server's own change is announced too.
  await server.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/operator-boosts`, {
    token: server.tokens.helpdesk,
    body: { durationMinutes: 60, reason: 'live route test' },
  });
  const desired = (await events.next('device')) as { causes: string[]; device: { profile: { desired: { profile: string } } } };
  t.same(desired.causes, ['desired'], 'the duplicate event was not announced; the new desired state was');
  t.equal(desired.device.profile.desired.profile, 'boost');

  await waitFor(() => server.server.services.live.listenerCount === 1, 'the other clients to leave');
  t.equal(server.server.services.live.listenerCount, 1, 'one listener for all clients');
  events.close();
  await waitFor(() => server.server.services.live.listenerCount === 0, 'the feed to be released when the last client left');
});

t.test('closing the server ends the live streams instead of waiting for them', async (t) => {
  const server = await startTestServer(t, await testDatabase(t));
  const events = await openLive(server.server.url, server.tokens.noc);
  await events.next('hello');
  await server.close();
  t.equal(await events.ended(), true, 'the stream ended');
  t.equal(server.server.services.live.listenerCount, 0);
});

interface LiveStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The data of the next event of this type (waiting for it). */
  next(event: string): Promise<unknown>;
  /** Resolves once the server ended the stream. */
  ended(): Promise<true>;
  /** Closes the connection (node:http, so that no idle socket is left behind). */
  close(): void;
}

/** GET /api/v1/live with a bearer token, read as a text/event-stream. */
function openLive(baseUrl: string, token: string | null, accept: string | null = 'text/event-stream'): Promise<LiveStream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(accept ? { accept } : {}) };
    const request = httpGet(`${baseUrl}/api/v1/live`, { headers, agent: false }, (response) => {
      const queue: Array<{ event: string; data: unknown }> = [];
      let buffer = '';
      let body = '';
      let done = false;
      const ended = new Promise<true>((resolveEnded) => response.on('close', () => ((done = true), resolveEnded(true))));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) queue.push({ event, data: JSON.parse(data) });
        }
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        async next(event) {
          const found = await waitFor(() => {
            const index = queue.findIndex((e) => e.event === event);
            return index >= 0 ? queue.splice(index, 1)[0] : done ? ({ event: 'end', data: body } as const) : undefined;
          }, `a ${event} event`);
          if (found.event === 'end') throw new Error(`the stream ended before a ${event} event: ${body}`);
          return found.data;
        },
        ended: () => ended,
        close: () => request.destroy(),
      });
    });
    request.on('error', reject);
  });
}
