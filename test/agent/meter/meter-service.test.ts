// The meter service against a fake stick, a test clock and real files: bounded writes, nothing
// reported is ever lost (kill and restart, stick restarts), thresholds once, month roll-over.
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import { MeterService, type MeterReports } from '../../../agent/meter/meter-service.js';
import { FakeModem } from '../helpers/fake-modem.js';
import { tempDir } from '../helpers/temp.js';

const CAP = 5_000_000_000;

async function setup(t: Test, dir?: string, clock = new TestClock('2026-03-10T09:00:00Z'), modem = new FakeModem()) {
  const folder = dir ?? (await tempDir(t));
  modem.clock = clock;
  const reports: MeterReports[] = [];
  const open = () =>
    MeterService.open({
      modem,
      clock,
      log: silentLogger(),
      file: join(folder, 'meter.json'),
      capBytes: CAP,
      persistIntervalMs: 60_000,
      maxBytesPerSecond: 625_000,
      report: async (r) => {
        reports.push(r);
      },
    });
  const meter = await open();
  meter.start();
  await clock.advanceAsync(0);
  return { folder, clock, modem, meter, reports, open };
}
/** Two minutes of traffic: a ^DSFLOWRPT every 2 s with `perReport` bytes down. */
async function traffic(clock: TestClock, modem: FakeModem, meter: MeterService, seconds: number, perReport = 100_000) {
  for (let s = 0; s < seconds; s += 2) {
    await clock.advanceAsync(2_000);
    await meter.settled(); // real file writes take real time
    modem.traffic(perReport / 10, perReport);
  }
}

const lastUsage = (reports: MeterReports[]) => reports.flatMap((r) => r.usage).at(-1);

t.test('the state is written and reported at most once a minute', async (t) => {
  const { clock, modem, meter, reports } = await setup(t);
  await traffic(clock, modem, meter, 300);
  await meter.flush();
  t.ok(reports.length <= 6, `${reports.length} writes in 5 minutes`);
  t.ok(reports.length >= 4, 'but the usage does go out');
  const usage = lastUsage(reports)!;
  t.equal(usage.downBytes, 150 * 100_000);
  t.equal(usage.upBytes, 150 * 10_000);
  t.equal(usage.period, '2026-03');
  const seqs = reports.flatMap((r) => r.usage.map((u) => u.seq));
  t.same(seqs, [...seqs].sort((a, b) => a - b), 'seq grows');
  t.same(meter.saved(), { period: '2026-03', upBytes: usage.upBytes, downBytes: usage.downBytes }, 'the status shows what is on disk');
});

t.test('killed without a goodbye: a new agent recovers the unwritten bytes from the stick counters', async (t) => {
  const first = await setup(t);
  await traffic(first.clock, first.modem, first.meter, 70); // one write at 60 s, then 10 s unwritten
  const reported = lastUsage(first.reports)!;
  t.ok(reported.downBytes < first.meter.current().downBytes, 'some bytes are not on disk yet');
  const trueDown = first.meter.current().downBytes;
  // kill -9: no stop(), no flush. A new meter opens the same file; the stick kept counting.
  first.modem.traffic(0, 0, 2, false);
  const second = await setup(t, first.folder, first.clock, first.modem);
  t.equal(second.meter.current().downBytes, trueDown, 'everything the stick counted, none counted twice');
  await second.meter.stop();
  t.ok(lastUsage(second.reports)!.downBytes >= reported.downBytes, 'never below what was reported');
  t.ok(lastUsage(second.reports)!.seq > reported.seq, 'and with a higher seq');
});

t.test('the stick restarted while the agent was down: the bytes since its restart are counted', async (t) => {
  const first = await setup(t);
  await traffic(first.clock, first.modem, first.meter, 60);
  await first.meter.stop();
  const before = first.meter.current().downBytes;
  first.modem.restart();
  first.modem.traffic(0, 30_000, 4, false);
  const second = await setup(t, first.folder, first.clock, first.modem);
  t.equal(second.meter.current().downBytes, before + 30_000);
});

t.test('counter resets while running (stick restarts) lose nothing that was read', async (t) => {
  const { clock, modem, meter } = await setup(t);
  await traffic(clock, modem, meter, 20);
  modem.restart();
  await traffic(clock, modem, meter, 20);
  modem.restart();
  await traffic(clock, modem, meter, 20);
  t.equal(meter.current().downBytes, 30 * 100_000);
});

t.test('fair-use thresholds: written at once, announced once, not again after a restart', async (t) => {
  const first = await setup(t);
  const capChanges: boolean[] = [];
  first.meter.onCapChange((reached) => capChanges.push(reached));
  await first.clock.advanceAsync(2_000);
  first.modem.traffic(0, 4_000_000_000);
  await first.meter.flush();
  t.same(first.reports.flatMap((r) => r.fairUse.map((f) => f.thresholdPercent)), [80], 'reported without waiting for the minute');
  await first.clock.advanceAsync(2_000);
  first.modem.traffic(0, 1_000_000_000);
  await first.meter.flush();
  t.same(first.reports.flatMap((r) => r.fairUse.map((f) => f.thresholdPercent)), [80, 100]);
  t.same(capChanges, [true]);
  t.ok(first.meter.capReached());
  await first.meter.stop();
  const second = await setup(t, first.folder, first.clock, first.modem);
  await second.clock.advanceAsync(2_000);
  second.modem.traffic(0, 1_000);
  await second.meter.stop();
  t.same(second.reports.flatMap((r) => r.fairUse), [], 'announced once per period, across restarts');
  t.ok(second.meter.capReached());
});

t.test('month end: the closed month goes out with its final figures and the new one starts at zero', async (t) => {
  const clock = new TestClock('2026-03-31T21:58:00Z'); // 23:58 in Amsterdam
  const { modem, meter, reports } = await setup(t, undefined, clock);
  const capChanges: boolean[] = [];
  meter.onCapChange((r) => capChanges.push(r));
  await traffic(clock, modem, meter, 60, 50_000);
  await clock.advanceAsync(120_000); // past midnight, no traffic
  await meter.settled();
  await traffic(clock, modem, meter, 10, 50_000);
  await meter.stop();
  const usage = reports.flatMap((r) => r.usage);
  const march = usage.filter((u) => u.period === '2026-03').at(-1)!;
  const april = usage.filter((u) => u.period === '2026-04').at(-1)!;
  t.equal(march.downBytes, 30 * 50_000);
  t.equal(april.downBytes, 5 * 50_000);
  t.ok(march.seq < april.seq);
});

t.test('a counter read near the cap is scheduled by itself', async (t) => {
  const { clock, modem, meter } = await setup(t);
  await clock.advanceAsync(2_000);
  modem.traffic(0, 4_999_000_000);
  const readsBefore = meter.current().downBytes;
  modem.counters = { ...modem.counters, sessionRxBytes: modem.counters.sessionRxBytes + 600_000, totalRxBytes: (modem.counters.totalRxBytes ?? 0) + 600_000 };
  await clock.advanceAsync(600);
  t.equal(meter.current().downBytes, readsBefore + 600_000, 'read within 600 ms without a ^DSFLOWRPT');
  await meter.stop();
});

t.test('a fresh install: the counters\' unknown past is not counted, a session the agent started is, from its first byte', async (t) => {
  const clock = new TestClock('2026-03-10T09:00:00Z');
  const modem = new FakeModem();
  modem.readCountersFails = true; // the stick is not ready when the meter starts
  modem.counters = { sessionTxBytes: 7_000, sessionRxBytes: 70_000, sessionSeconds: 3_600, totalTxBytes: 9_000, totalRxBytes: 90_000, readAt: 0 };
  const { meter } = await setup(t, undefined, clock, modem);
  await clock.advanceAsync(5_000);
  // The old session (up an hour before the agent started) reports: a baseline, not usage.
  modem.traffic(100, 1_000, 2);
  t.equal(meter.current().downBytes, 0);
  // A new session, started after the agent: its first reading already carries 5 000 bytes.
  await clock.advanceAsync(2_000);
  modem.counters = { sessionTxBytes: 500, sessionRxBytes: 5_000, sessionSeconds: 1, totalTxBytes: 9_600, totalRxBytes: 96_000, readAt: clock.now() };
  modem.emit({ type: 'counters', counters: { ...modem.counters, totalTxBytes: null, totalRxBytes: null } });
  t.equal(meter.current().downBytes, 5_000, 'all of the new session');
  await meter.stop();
});

t.test('a fresh install whose first reading is a session the agent started counts all of it', async (t) => {
  const clock = new TestClock('2026-03-10T09:00:00Z');
  const modem = new FakeModem();
  modem.readCountersFails = true;
  const { meter } = await setup(t, undefined, clock, modem);
  await clock.advanceAsync(3_000);
  modem.counters = { sessionTxBytes: 232, sessionRxBytes: 464, sessionSeconds: 0, totalTxBytes: 232, totalRxBytes: 464, readAt: clock.now() };
  modem.emit({ type: 'counters', counters: modem.counters });
  t.same([meter.current().upBytes, meter.current().downBytes], [232, 464]);
  await meter.stop();
});
