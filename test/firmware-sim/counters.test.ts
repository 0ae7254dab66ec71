// The stick's data counters through ^DSFLOWQRY / ^DSFLOWRPT / ^DSFLOWCLR: hex fields, growth at
// the negotiated rate, session vs total, and reset when the stick restarts. Time is a TestClock.
import { existsSync } from 'node:fs';
import t from 'tap';
import { TestClock } from '../../shared/clock.js';
import { AtPort } from './helpers/at-port.js';
import { stickWithPort } from './helpers/sim.js';

interface Flow {
  lastSeconds: number;
  lastTx: number;
  lastRx: number;
  totalSeconds: number;
  totalTx: number;
  totalRx: number;
}

async function flow(port: AtPort): Promise<Flow> {
  const [line] = (await port.info('AT^DSFLOWQRY')).filter((l) => l.startsWith('^DSFLOWQRY:'));
  const f = line!.slice('^DSFLOWQRY:'.length).split(',');
  const n = (i: number): number => parseInt(f[i]!, 16);
  return { lastSeconds: n(0), lastTx: n(1), lastRx: n(2), totalSeconds: n(3), totalTx: n(4), totalRx: n(5) };
}

async function connectBaseline(port: AtPort): Promise<void> {
  await port.command('AT+CGEQREQ=1,3,64,128');
  const from = port.received.length;
  await port.command('AT^NDISDUP=1,1,"internet"');
  await port.expect(/\^NDISSTAT: 1/, from);
}

t.test('^DSFLOWQRY: 8-digit seconds and 16-digit byte counts in hex', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: false }, { clock });
  t.same(await port.info('AT^DSFLOWQRY'), ['^DSFLOWQRY:00000000,0000000000000000,0000000000000000,00000000,0000000000000000,0000000000000000']);
  await connectBaseline(port);
  clock.advance(65_000);
  sim.stick!.generateTraffic({ seconds: 10 }); // 10 s at 64/128 kbit/s
  t.same(await port.info('AT^DSFLOWQRY'), ['^DSFLOWQRY:00000041,0000000000013880,0000000000027100,00000041,0000000000013880,0000000000027100']);
});

t.test('counters grow at the negotiated rate, by amount or with continuous load', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: false }, { clock });
  const stick = sim.stick!;
  t.throws(() => stick.generateTraffic({ seconds: 1 }), { code: 'NO_SESSION' }, 'no traffic without a session');
  await connectBaseline(port);
  stick.generateTraffic({ seconds: 60, load: { up: 0.5, down: 1 } });
  let f = await flow(port);
  t.equal(f.lastTx, 60 * 64 * 125 * 0.5);
  t.equal(f.lastRx, 60 * 128 * 125);
  stick.generateTraffic({ txBytes: 1000, rxBytes: 2000 });
  f = await flow(port);
  t.equal(f.lastTx, 240_000 + 1000);
  t.equal(f.lastRx, 960_000 + 2000);
  stick.setLoad({ down: 1 });
  clock.advance(30_000);
  f = await flow(port);
  t.equal(f.lastRx, 962_000 + 30 * 128 * 125, 'a full download for 30 s');
  t.equal(f.lastTx, 241_000, 'no upload load');
  t.equal(f.lastSeconds, 30);
  await port.command('AT+CGEQREQ=1,3,1400,3600');
  await port.command('AT+CGCMOD=1');
  clock.advance(10_000);
  f = await flow(port);
  t.equal(f.lastRx, 962_000 + 480_000 + 10 * 3584 * 125, 'faster after the boost is applied');
});

t.test('"last" is the current session, "total" all sessions since ^DSFLOWCLR', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: false }, { clock });
  await connectBaseline(port);
  clock.advance(20_000);
  sim.stick!.generateTraffic({ txBytes: 100, rxBytes: 200 });
  const from = port.received.length;
  await port.command('AT^NDISDUP=1,0');
  await port.expect(/\^NDISSTAT: 0/, from);
  clock.advance(50_000);
  let f = await flow(port);
  t.same(f, { lastSeconds: 20, lastTx: 100, lastRx: 200, totalSeconds: 20, totalTx: 100, totalRx: 200 }, 'offline: the last session stays');
  await connectBaseline(port);
  clock.advance(5_000);
  sim.stick!.generateTraffic({ txBytes: 1, rxBytes: 2 });
  f = await flow(port);
  t.same(f, { lastSeconds: 5, lastTx: 1, lastRx: 2, totalSeconds: 25, totalTx: 101, totalRx: 202 });
  t.equal((await port.command('AT^DSFLOWCLR')).final, 'OK');
  f = await flow(port);
  t.same(f, { lastSeconds: 0, lastTx: 0, lastRx: 0, totalSeconds: 0, totalTx: 0, totalRx: 0 });
  clock.advance(3_000);
  sim.stick!.generateTraffic({ txBytes: 7, rxBytes: 9 });
  t.same(await flow(port), { lastSeconds: 3, lastTx: 7, lastRx: 9, totalSeconds: 3, totalTx: 7, totalRx: 9 }, 'counting goes on after the clear');
});

t.test('^DSFLOWRPT every 2 s while a session is up: duration, rates, bytes, QoS rates', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: true }, { clock });
  await connectBaseline(port);
  sim.stick!.setLoad({ up: 1, down: 1 });
  const from = port.received.length;
  clock.advance(2_000);
  const text = await port.expect(/\^DSFLOWRPT:.*\r\n/, from);
  // 128/64 kbit/s negotiated = 16000/8000 bytes/s = 00003E80/00001F40
  t.match(text, /\r\n\^DSFLOWRPT:00000002,00001F40,00003E80,0000000000003E80,0000000000007D00,00001F40,00003E80\r\n/);
  const from2 = port.received.length;
  clock.advance(2_000);
  t.match(await port.expect(/\^DSFLOWRPT:.*\r\n/, from2), /\^DSFLOWRPT:00000004,/);
  await port.command('AT^NDISDUP=1,0');
  await port.expect(/\^NDISSTAT: 0/, from2);
  const from3 = port.received.length;
  clock.advance(4_000);
  t.equal((await port.command('AT')).final, 'OK');
  t.notMatch(port.since(from3), /DSFLOWRPT/, 'no reports without a session');
});

t.test('lower-case hex on firmwares that print it', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: false, quirks: { hexCase: 'lower' } }, { clock });
  await connectBaseline(port);
  sim.stick!.generateTraffic({ txBytes: 0xabc, rxBytes: 0xdef });
  t.match(await port.info('AT^DSFLOWQRY'), [/^\^DSFLOWQRY:00000000,0000000000000abc,0000000000000def,/]);
});

t.test('counters reset when the stick restarts: +CFUN=1,1 in place', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false, resetMode: 'in-place' });
  await connectBaseline(port);
  sim.stick!.generateTraffic({ txBytes: 5000, rxBytes: 6000 });
  t.equal((await flow(port)).totalRx, 6000);
  t.equal((await port.command('AT+CFUN=1,1')).final, 'OK');
  await port.until(() => sim.stick!.snapshot().boots === 2, 'the stick to boot again');
  await port.command('ATE0');
  t.same(await flow(port), { lastSeconds: 0, lastTx: 0, lastRx: 0, totalSeconds: 0, totalTx: 0, totalRx: 0 });
  t.equal(sim.stick!.snapshot().session, null, 'the session is gone');
  t.same(sim.stick!.snapshot().requested, {}, 'and the rate request with it');
});

t.test('+CFUN=1,1 on a USB stick: the device path disappears and returns, counters from zero', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  await connectBaseline(port);
  stick.generateTraffic({ txBytes: 5000, rxBytes: 6000 });
  t.equal((await port.command('AT+CFUN=1,1')).final, 'OK');
  await port.awaitHangup();
  await port.until(() => stick.snapshot().boots === 2 && existsSync(stick.devicePath), 'the stick to come back');
  const again = await AtPort.open(stick.devicePath);
  t.teardown(() => again.close());
  await again.command('ATE0');
  t.same(await flow(again), { lastSeconds: 0, lastTx: 0, lastRx: 0, totalSeconds: 0, totalTx: 0, totalRx: 0 });
});

t.test('counters reset on unplug and replug', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  await connectBaseline(port);
  stick.generateTraffic({ txBytes: 1, rxBytes: 1 });
  await stick.unplug();
  await stick.replug();
  const again = await AtPort.open(stick.devicePath);
  t.teardown(() => again.close());
  await again.command('ATE0');
  t.equal((await flow(again)).totalRx, 0);
  t.equal(stick.snapshot().counters.totalRxBytes, 0);
});
