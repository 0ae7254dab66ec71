// One server instance of the cluster test in a process of its own (so the test can kill -9 it):
// startServer with SP_* settings and a TestClock, driven by its parent over IPC. Replies carry
// the request's id: { id, ok: true, value } or { id, ok: false, error }.
//   seed {count}     subscriptions with a customer and an enrolled router (credentials back)
//   advance {ms}     moves this instance's clock on (timers due run), then waits for publishing
//   tick {at}        runs every scheduled job for the cron tick at `at` (what ran here)
//   stats            ingest counts of this instance
//   idle             resolves once every changed desired state is published
import { randomBytes } from 'node:crypto';
import { TestClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/log.js';
import { loadServerConfig } from '../../server/config.js';
import { startServer } from '../../server/main.js';
import { seedSubscription } from '../../server/seed.js';

export interface ChildRequest {
  readonly id: number;
  readonly cmd: 'seed' | 'advance' | 'tick' | 'stats' | 'idle';
  readonly count?: number;
  readonly ms?: number;
  readonly at?: number;
}

export type ChildReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

export interface ChildReady {
  readonly type: 'ready';
  readonly url: string;
}

const config = loadServerConfig({ env: process.env });
const clock = new TestClock(Number(process.env['SP_TEST_CLOCK_START']));
const server = await startServer(config, { clock, log: createLogger({ name: `server-${config.mqttClientId}`, level: config.logLevel }) });

async function handle(request: ChildRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'seed': {
      // Ten at a time: each is a few short transactions and a password hash.
      const seeded: Awaited<ReturnType<typeof seedSubscription>>[] = [];
      const count = request.count ?? 0;
      for (let from = 0; from < count; from += 10) {
        const batch = Array.from({ length: Math.min(10, count - from) }, () => {
          const suffix = randomBytes(5).toString('hex');
          return seedSubscription(server, {
            customer: { name: `Cluster ${suffix}`, login: `cluster-${suffix}`, password: 'cluster password', email: `c-${suffix}@example.nl` },
            routerModel: 'FRITZ!Box 7490',
          });
        });
        seeded.push(...(await Promise.all(batch)));
      }
      return seeded;
    }
    case 'advance':
      clock.advance(request.ms ?? 0);
      await server.desiredPublished();
      return clock.now();
    case 'tick':
      return server.jobs.tick(request.at ?? clock.now());
    case 'stats':
      return server.ingest.stats.snapshot();
    case 'idle':
      await server.desiredPublished();
      return null;
  }
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => {});
  process.exit(0);
};
process.on('message', (message: ChildRequest | { type: 'stop' }) => {
  if ('type' in message) {
    if (message.type === 'stop') void stop();
    return;
  }
  handle(message).then(
    (value) => process.send?.({ id: message.id, ok: true, value } satisfies ChildReply),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: String((error as Error)?.stack ?? error) } satisfies ChildReply),
  );
});
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
process.send?.({ type: 'ready', url: server.url } satisfies ChildReady);
