// Line and device faults through the pty: a hung stick, garbage bytes, truncated replies, slow
// answers. (Unplug/replug: pty.test.ts; SIM removed: sim-card.test.ts; no coverage:
// network.test.ts and data-session.test.ts; the router's: router.test.ts.)
import t from 'tap';
import { TestClock } from '../../shared/clock.js';
import { AtPort } from './helpers/at-port.js';
import { simulator, stickWithPort } from './helpers/sim.js';

t.test('a hung stick answers nothing, echoes nothing, reports nothing; unhung it answers again', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: true });
  const stick = sim.stick!;
  await port.command('ATE1');
  const from = port.received.length;
  stick.hang();
  t.equal(stick.snapshot().hung, true);
  const before = stick.snapshot().hostBytes;
  port.write('AT+CSQ\r');
  await port.until(() => stick.snapshot().hostBytes === before + 7, 'the bytes to reach the hung stick');
  stick.setSignal(-95); // would be a ^RSSI
  stick.sendUrc('^BOOT:1,0,0,0,72');
  stick.unhang();
  const reply = await port.command('AT+CGMM');
  t.equal(port.since(from), 'AT+CGMM\r\r\nE173\r\n\r\nOK\r\n', 'only the command after unhang is echoed and answered');
  t.equal(reply.final, 'OK');
  t.notOk(stick.commands().includes('AT+CSQ'), 'the lost command never reached the stick');
});

t.test('a command pending when the stick hangs is never answered', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: false }, { clock });
  const stick = sim.stick!;
  stick.setAnswerDelay(100);
  const from = port.received.length;
  const index = stick.commands().length;
  port.write('AT+CSQ\r');
  await stick.waitForCommand('+CSQ', { sinceIndex: index });
  stick.hang();
  clock.advance(100);
  stick.unhang();
  port.write('AT+CGMM\r');
  await stick.waitForCommand('+CGMM', { sinceIndex: index });
  clock.advance(100);
  await port.expect(/OK\r\n$/, from);
  t.equal(port.since(from), '\r\nE173\r\n\r\nOK\r\n', 'no +CSQ answer ever came');
});

t.test('garbage bytes arrive as they are; the next command still works', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const from = port.received.length;
  sim.stick!.injectGarbage('\xff\x00\x1bOK?\r');
  await port.expect(/\r$/, from);
  t.equal(port.since(from), '\xff\x00\x1bOK?\r');
  t.equal((await port.command('AT+CGMM')).final, 'OK');
});

t.test('random garbage is repeatable with the same seed', async (t) => {
  const read = async (): Promise<string> => {
    const sim = await simulator(t, { router: false, seed: 42, stick: { latencyScale: 0, urcs: false } });
    const port = await AtPort.open(sim.stick!.devicePath);
    t.teardown(() => port.close());
    await port.command('ATE0');
    const from = port.received.length;
    sim.stick!.injectGarbage(undefined, 24);
    await port.until(() => port.since(from).length >= 24, '24 garbage bytes');
    return port.since(from);
  };
  const first = await read();
  t.equal(first.length, 24);
  t.equal(await read(), first);
});

t.test('a truncated reply loses its final result; the next exchange is whole', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  stick.truncateNextReply();
  const from = port.received.length;
  port.write('AT+CGMM\r');
  port.write('AT\r');
  await port.expect(/\r\nOK\r\n$/, from);
  t.equal(port.since(from), '\r\nE173\r\n\r\nOK\r\n', 'E173 without its OK, then AT\'s OK');
  stick.truncateNextReply(3);
  const from2 = port.received.length;
  port.write('AT+CGMM\r');
  port.write('AT+CGMI\r');
  await port.expect(/\r\nOK\r\n$/, from2);
  t.equal(port.since(from2), '\r\nE\r\nhuawei\r\n\r\nOK\r\n', 'cut after 3 bytes');
  stick.truncateNextReply();
  const from3 = port.received.length;
  port.write('AT\r');
  port.write('AT+CGMI\r');
  await port.expect(/huawei\r\n\r\nOK\r\n$/, from3);
  t.equal(port.since(from3), '\r\nO\r\nhuawei\r\n\r\nOK\r\n', 'a bare result is cut in half');
});

t.test('a slow stick answers only after the extra delay', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: false }, { clock });
  const stick = sim.stick!;
  stick.setAnswerDelay(5_000);
  const from = port.received.length;
  const index = stick.commands().length;
  port.write('AT+CGMM\r');
  await stick.waitForCommand('+CGMM', { sinceIndex: index });
  clock.advance(4_999);
  t.equal(port.since(from), '', 'nothing yet');
  clock.advance(1);
  t.equal(await port.expect(/OK\r\n$/, from), '\r\nE173\r\n\r\nOK\r\n');
  stick.setAnswerDelay(0);
  t.equal((await port.command('AT')).final, 'OK');
});

t.test('realistic latencies: an activation takes its time on the clock', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: false, latencyScale: 0, latencies: { activate: 1500 } }, { clock });
  const from = port.received.length;
  await port.command('AT^NDISDUP=1,1,"internet"');
  t.equal(sim.stick!.snapshot().session, null, 'OK first, no session yet');
  clock.advance(1500);
  await port.expect(/\^NDISSTAT: 1/, from);
  t.equal(sim.stick!.snapshot().session?.kind, 'ndis');
});
