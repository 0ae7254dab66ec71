// Fault: the database is out of reach for 30 s. The API answers 503 with a Retry-After and an
// application/problem+json document (code not-ready), stores nothing half-done (a boost refused
// during the outage costs no quota, R7), and works again by itself once the database is back,
// with no restart; what a router sent meanwhile is stored then, not lost. PostgreSQL (SP_DATABASE_URL, as .ci/run sets it) is reached through a TCP
// proxy the test cuts and restores; SQLite (the default) is locked by another writer, the way a
// CLI or a backup holding the write lock makes it busy (in WAL mode reads go on; writes wait the
// busy timeout, then fail). The server's clock is a TestClock moved 30 s during the outage, so
// the test does not wait the 30 s.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { TestClock } from '../../shared/clock.js';
import { SQLITE_FILE_NAME } from '../../server/db/database.js';
import { testDatabase, type TestDatabase } from '../helpers/database.js';
import { startCuttableProxy } from '../agent/helpers/cuttable-proxy.js';
import { connectedRouter, login, seed } from '../server/helpers/fixtures.js';
import { startTestServer } from '../server/helpers/server.js';
import { capturedLog } from './helpers/captured-log.js';
import { waitFor } from '../server/helpers/wait.js';

interface Outage {
  readonly database: TestDatabase;
  /** Whether reads fail too (PostgreSQL gone) or only writes (SQLite locked). */
  readonly readsFail: boolean;
  begin(): void;
  end(): void;
}

async function outageFor(t: Test, database: TestDatabase): Promise<Outage> {
  if (database.kind === 'postgres') {
    const url = new URL(database.settings.databaseUrl!);
    const proxy = await startCuttableProxy(`postgres://${url.hostname}:${url.port || 5432}`);
    t.teardown(() => proxy.close());
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = new URL(proxy.url).port;
    return {
      database: { ...database, settings: { ...database.settings, databaseUrl: proxied.toString() } },
      readsFail: true,
      begin: () => proxy.cut(),
      end: () => proxy.restore(),
    };
  }
  let locker: BetterSqlite3.Database | null = null;
  return {
    database,
    readsFail: false,
    begin() {
      locker = new BetterSqlite3(join(database.settings.dataDir, SQLITE_FILE_NAME));
      locker.exec('BEGIN IMMEDIATE'); // holds the write lock until end()
    },
    end() {
      locker?.exec('ROLLBACK');
      locker?.close();
      locker = null;
    },
  };
}

t.test('database out of reach for 30 s: 503 with Retry-After, nothing counted, back by itself', async (t) => {
  const outage = await outageFor(t, await testDatabase(t));
  t.teardown(() => outage.end());
  const clock = new TestClock('2026-03-10T09:00:00Z');
  const captured = capturedLog('server', 'warn');
  const ts = await startTestServer(t, outage.database, { clock, log: captured.log });
  const seeded = await seed(ts);
  const router = await connectedRouter(t, ts, seeded, 'mobile');
  const token = await login(ts, seeded.login);
  const boostUrl = `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`;

  outage.begin();
  const refused = await ts.call('POST', boostUrl, { token, body: { email: 'customer@example.nl' } });
  t.equal(refused.statusCode, 503, refused.body);
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  t.match(refused.headers['retry-after'], /^\d+$/, 'a retry hint in seconds');
  t.match(refused.json(), { type: '/api/v1/problems/not-ready', status: 503, code: 'not-ready', detail: /database is not reachable/ });
  t.notMatch(refused.body, /SQLITE|ECONN|postgres:|password/i, 'no driver internals or connection strings in the answer');

  const read = await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}`, { token });
  if (outage.readsFail) {
    t.equal(read.statusCode, 503, 'reads fail too while PostgreSQL is gone');
    t.match(read.headers['retry-after'], /^\d+$/);
  } else {
    t.equal(read.statusCode, 200, 'SQLite in WAL mode: reads go on while another writer holds the lock');
  }
  const ready = await ts.call('GET', '/readyz');
  if (outage.readsFail) t.match(ready, { statusCode: 503, headers: { 'retry-after': /^\d+$/ } }, 'readiness says not ready');

  // The router reports an event meanwhile: the server holds it (no PUBACK) until it can store it.
  await router.publish('events', { v: 1, id: 'evt-during-outage', at: new Date(clock.now()).toISOString(), type: 'modem-lost', reason: 'unplugged' });
  const tried = await waitFor(
    () => captured.find((l) => l['component'] === 'ingest' && typeof l['topic'] === 'string' && (l['topic'] as string).endsWith('/events')),
    'the server to try to store the event',
    30_000,
  );
  t.equal(tried.msg, 'store unreachable; holding the message until it is back', 'the ingest holds the message and says why');

  clock.advance(30_000); // the outage lasts 30 s of the server's time
  outage.end();

  const granted = await ts.call('POST', boostUrl, { token, body: { email: 'customer@example.nl' } });
  t.equal(granted.statusCode, 201, `the same request works again, no restart: ${granted.body}`);
  t.match(granted.json(), { created: true, quota: { limit: 2, used: 1, remaining: 1 } }, 'R7: the refused request used no quota');
  const list = (await ts.call('GET', boostUrl, { token })).json() as { items: unknown[] };
  t.equal(list.items.length, 1, 'one boost stored, none from the outage');
  t.equal((await ts.call('GET', '/readyz')).statusCode, 200, 'ready again');
  const stored = await waitFor(async () => {
    const events = (await ts.call('GET', `/api/v1/devices/${router.deviceId}/events`, { token: ts.tokens.noc })).json() as { items: Array<{ id: string }> };
    return events.items.find((e) => e.id === 'evt-during-outage');
  }, 'the event sent during the outage to be stored', 30_000);
  t.ok(stored, 'the event sent during the outage is stored once the database is back, not lost');
});
