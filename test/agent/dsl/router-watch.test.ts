// The TR-064 client and the line watch against the simulated FRITZ!Box (real HTTP, digest auth):
// identity (R1), the line's states as polls see them, and a box that stops answering.
import t from 'tap';
import { startSimulator } from '../../../firmware-sim/index.js';
import { systemClock, TestClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import type { LineObservation } from '../../../agent/dsl/line-reading.js';
import { LineWatch, readRouterIdentity, SERVICE } from '../../../agent/dsl/router-watch.js';
import { Tr064Client } from '../../../agent/dsl/tr064-client.js';
import { isAgentError } from '../../../agent/errors.js';

async function simRouter(t: { teardown(fn: () => unknown): void }, router: Parameters<typeof startSimulator>[0] extends infer O ? (O extends { router?: infer R } ? R : never) : never = {}) {
  const sim = await startSimulator({ router, stick: false, control: null });
  const r = sim.router!;
  const client = new Tr064Client({ url: r.url, username: r.username, password: r.password, timeoutMs: 500 });
  t.teardown(async () => {
    client.close();
    await sim.close();
  });
  return { sim, router: r, client };
}

t.test('identity: a supported model is read with its firmware', async (t) => {
  const { client } = await simRouter(t, { model: 'FRITZ!Box Fon WLAN 7390', firmware: '84.06.85' });
  t.same(await readRouterIdentity(client), { modelName: 'FRITZ!Box Fon WLAN 7390', firmware: '84.06.85', model: '7390' });
});

t.test('R1: an unsupported model is refused with its name', async (t) => {
  const { client } = await simRouter(t, { model: 'FRITZ!Box 7590' });
  const error = await readRouterIdentity(client).catch((e: unknown) => e);
  t.ok(isAgentError(error, 'unsupported-router'));
  t.match(String(error), /unsupported router model "FRITZ!Box 7590".*7340, 7360, 7390, 7490 \(R1\)/);
});

t.test('wrong credentials are a clear auth error; an unknown action a fault with its UPnP code', async (t) => {
  const { router, client } = await simRouter(t);
  const bad = new Tr064Client({ url: router.url, username: router.username, password: 'wrong', timeoutMs: 500 });
  t.teardown(() => bad.close());
  const error = await bad.call(SERVICE.deviceInfo, 'GetInfo').catch((e: unknown) => e);
  t.ok(isAgentError(error, 'router-auth'), String(error));
  const fault = await client.call(SERVICE.commonIf, 'NoSuchAction').catch((e: unknown) => e);
  t.ok(isAgentError(fault, 'router-fault'));
  t.match(String(fault), /UPnPError 401/);
});

t.test('the line watch sees each line state, and silence as unreachable', async (t) => {
  const { router, client } = await simRouter(t);
  const seen: LineObservation[] = [];
  const watch = new LineWatch({ client, clock: systemClock, log: silentLogger(), intervalMs: 30, dslInfoEveryMs: 10_000, onObservation: (o) => seen.push(o) });
  watch.start();
  t.teardown(() => watch.stop());
  const next = async (kind: string) => {
    const from = seen.length;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const hit = seen.slice(from).find((o) => o.kind === kind);
      if (hit) return hit;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no ${kind} observation; saw ${seen.slice(from).map((o) => o.kind).join(',')}`);
  };
  const up = await next('up');
  t.same([up.downKbps, up.upKbps], [50_000, 10_000], 'DSL rates from WANDSLInterfaceConfig');
  router.setLine('down');
  t.match((await next('down')).evidence, ['PhysicalLinkStatus Down']);
  router.setLine('training');
  await next('training');
  router.setLine('no-internet');
  t.match((await next('no-internet')).evidence.join(' '), /connection (Connecting|Disconnected)/);
  router.setLine('up');
  await next('up');
  await router.setReachable(false, 'refused');
  t.match((await next('unreachable')).evidence[0], /router did not answer/);
  await router.setReachable(true);
  await next('up');
  await router.setReachable(false, 'timeout');
  t.match((await next('unreachable')).evidence[0], /no answer within 500 ms/);
  await router.setReachable(true);
  await next('up');
});

t.test('in a long outage the line is polled slowly, and at full rate as soon as it is back', async (t) => {
  const { router, client } = await simRouter(t);
  const clock = new TestClock('2026-03-10T09:00:00Z');
  const seen: { kind: string; at: number }[] = [];
  const watch = new LineWatch({ client, clock, log: silentLogger(), intervalMs: 250, slowIntervalMs: 1_000, slowAfterMs: 10_000, dslInfoEveryMs: 60_000, onObservation: (o, at) => seen.push({ kind: o.kind, at }) });
  watch.start();
  t.teardown(() => watch.stop());
  // Lets `ms` of the watch's time pass in 50 ms steps, each poll's real HTTP exchange finished
  // before the clock moves on (while a poll is in flight, its next timer is not set yet).
  const run = async (ms: number) => {
    for (const end = clock.now() + ms; clock.now() < end; ) {
      clock.advance(50);
      const deadline = Date.now() + 5_000;
      while (clock.pendingTimers === 0) {
        if (Date.now() > deadline) throw new Error('a poll did not finish');
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  };
  const polls = (from: number, to: number) => seen.filter((o) => o.at >= from && o.at < to);

  await run(2_000);
  const cut = clock.now();
  router.setLine('down');
  await run(21_000);
  const since = seen.find((o) => o.at > cut && o.kind === 'down')!.at; // the first poll after the cut
  const fast = polls(since, since + 10_000);
  const slow = polls(since + 10_000, since + 20_000);
  t.ok([...fast, ...slow].every((o) => o.kind === 'down'), 'down all along');
  t.equal(fast.length, 40, 'the first 10 s of the outage at the full rate (every 250 ms)');
  t.equal(slow.length, 10, 'then every second');

  const back = clock.now();
  router.setLine('up');
  await run(3_000);
  const firstUp = seen.find((o) => o.at >= back && o.kind === 'up');
  t.ok(firstUp && firstUp.at - back <= 1_000, 'the return is seen within the slow interval');
  t.equal(polls(firstUp!.at + 1, firstUp!.at + 2_001).length, 8, 'and from then on every 250 ms again');
});
