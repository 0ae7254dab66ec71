// Unsolicited codes arrive anywhere: between a command's echo and its answer, between the
// information and the final result, right after OK, two at once; scripted or as they happen.
import t from 'tap';
import { TestClock } from '../../shared/clock.js';
import { AtPort } from './helpers/at-port.js';
import { simulator, stickWithPort } from './helpers/sim.js';

t.test('a URC between the echo and the answer', async (t) => {
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0, urcs: false } });
  const port = await AtPort.open(sim.stick!.devicePath);
  t.teardown(() => port.close());
  sim.stick!.injectUrcs(['^RSSI:20'], { at: 'after-echo' });
  const reply = await port.command('AT+CSQ');
  t.equal(reply.raw, 'AT+CSQ\r\r\n^RSSI:20\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
});

t.test('a URC between the information and the final result', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  sim.stick!.injectUrcs(['+CREG: 1'], { at: 'before-final' });
  t.equal((await port.command('AT+CGMM')).raw, '\r\nE173\r\n\r\n+CREG: 1\r\n\r\nOK\r\n');
});

t.test('two URCs right after OK, in the same write as the reply', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const chunks: string[] = [];
  port.port.on('data', (chunk: Buffer) => chunks.push(chunk.toString('latin1')));
  sim.stick!.injectUrcs(['^MODE:5,7', '^RSSI:18'], { at: 'after-final' });
  const from = port.received.length;
  port.write('AT\r');
  const text = await port.expect(/\^RSSI:18\r\n$/, from);
  t.equal(text, '\r\nOK\r\n\r\n^MODE:5,7\r\n\r\n^RSSI:18\r\n');
  t.ok(chunks.some((c) => c.includes('OK') && c.includes('^MODE:5,7')), 'OK and the URC arrive in one read');
});

t.test('a scripted URC waits for the command it names', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  sim.stick!.injectUrcs(['^SRVST:2'], { at: 'after-echo', command: '+COPS?' });
  t.same((await port.command('AT+CSQ')).lines, ['+CSQ: 20,99', 'OK'], 'not this one');
  t.same((await port.command('AT+COPS?')).lines, ['^SRVST:2', '+COPS: 0,0,"KPN NL",6', 'OK']);
  t.same((await port.command('AT+COPS?')).lines, ['+COPS: 0,0,"KPN NL",6', 'OK'], 'only once');
});

t.test('a URC that happens while a slow command is pending lands before its answer', async (t) => {
  const clock = new TestClock();
  const { sim, port } = await stickWithPort(t, { urcs: true, latencies: { modify: 800 } }, { clock });
  const stick = sim.stick!;
  await port.command('AT^NDISDUP=1,1,"internet"');
  await port.expect(/\^NDISSTAT: 1/);
  const from = port.received.length;
  const index = stick.commands().length;
  port.write('AT+CGCMOD=1\r');
  await stick.waitForCommand('+CGCMOD', { sinceIndex: index });
  stick.setSignal(-91); // the network changes while the stick is busy
  await port.expect(/\^RSSI:11\r\n$/, from);
  clock.advance(800);
  const text = await port.expect(/OK\r\n$/, from);
  t.equal(text, '\r\n^RSSI:11\r\n\r\nOK\r\n');
});

t.test('sendUrc writes any unsolicited line now', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const from = port.received.length;
  sim.stick!.sendUrc('+CGEV: NW DETACH', '^SIMST:1');
  t.equal(await port.expect(/SIMST:1\r\n$/, from), '\r\n+CGEV: NW DETACH\r\n\r\n^SIMST:1\r\n');
});
