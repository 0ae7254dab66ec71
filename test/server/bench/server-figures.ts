// Figures for the report (not a test: no assertions, run by hand):
//   node --import=tsx test/server/bench/server-figures.ts
// 1. device logins checked per second (HMAC-SHA256) against customer passwords (scrypt, cost 15);
// 2. ingest: events through the embedded broker into SQLite, stored per second;
// 3. a desired state from the HTTP request to the router's MQTT client (boost request → desired).
import { performance } from 'node:perf_hooks';
import { hashDeviceSecret, hashPassword, randomSalt, randomSecret, verifyDeviceSecret, verifyPassword } from '../../../server/auth/secrets.js';
import { systemClock } from '../../../shared/clock.js';
import { createTestDatabase } from '../../helpers/database.js';
import { connectedRouter, seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const teardowns: Array<() => unknown> = [];
const t = { teardown: (fn: () => unknown) => teardowns.push(fn) };

async function main(): Promise<void> {
  const secret = randomSecret(24);
  const salt = randomSalt();
  const hash = hashDeviceSecret(secret, salt);
  let start = performance.now();
  for (let i = 0; i < 10_000; i++) verifyDeviceSecret(secret, salt, hash);
  const hmacMs = performance.now() - start;
  const stored = await hashPassword('correct horse battery', 15);
  start = performance.now();
  for (let i = 0; i < 5; i++) await verifyPassword('correct horse battery', stored);
  const scryptMs = (performance.now() - start) / 5;
  console.log(`device logins: 10,000 HMAC checks in ${hmacMs.toFixed(0)} ms; one scrypt (cost 15) check: ${scryptMs.toFixed(0)} ms`);

  const database = await createTestDatabase();
  teardowns.push(() => database.drop());
  const ts = await startTestServer(t, database, { clock: systemClock });
  const seeded = await seed(ts);
  const router = await connectedRouter(t, ts, seeded, 'mobile');

  const n = 2000;
  start = performance.now();
  for (let i = 0; i < n; i++) {
    void router.publish('events', { v: 1, id: `bench-${i}`, at: new Date().toISOString(), type: 'modem-lost', reason: 'bench' });
  }
  await waitFor(() => (ts.server.ingest.stats.snapshot().stored['events'] ?? 0) >= n, 'all events stored', 120_000);
  const ingestMs = performance.now() - start;
  console.log(`ingest: ${n} events through the embedded broker into SQLite in ${ingestMs.toFixed(0)} ms (${Math.round((n / ingestMs) * 1000)}/s)`);

  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    const received = new Promise<void>((resolve) => router.client.once('message', () => resolve()));
    start = performance.now();
    const response = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/operator-boosts`, {
      token: ts.tokens.helpdesk,
      body: { durationMinutes: 60 + i, reason: 'bench run' },
    });
    if (response.statusCode !== 201) throw new Error(response.body);
    await received;
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  console.log(`operator boost request → desired state at the router: median ${latencies[10]!.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms (20 runs)`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const fn of teardowns.reverse()) await fn();
  });
