// Echo, result framing, identity, error reporting and command-line syntax, through the pty.
import t from 'tap';
import { AtPort } from './helpers/at-port.js';
import { simulator, stickWithPort } from './helpers/sim.js';

t.test('ATE1 echoes the command line before the reply; ATE0 stops it', async (t) => {
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0, urcs: false } });
  const port = await AtPort.open(sim.stick!.devicePath);
  t.teardown(() => port.close());
  t.equal((await port.command('AT+CGMI')).raw, 'AT+CGMI\r\r\nhuawei\r\n\r\nOK\r\n');
  t.equal((await port.command('ATE0')).raw, 'ATE0\r\r\nOK\r\n', 'ATE0 itself is still echoed');
  t.equal((await port.command('AT+CGMI')).raw, '\r\nhuawei\r\n\r\nOK\r\n');
  t.equal((await port.command('ATE1')).raw, '\r\nOK\r\n');
  t.equal((await port.command('AT')).raw, 'AT\r\r\nOK\r\n');
});

t.test('ATV0 gives numeric results and unframed information; ATV1 restores text', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  const start = port.received.length;
  port.write('ATV0\r');
  await port.expect(/0\r$/, start);
  t.equal(port.since(start), '0\r', 'OK is 0');
  const from = port.received.length;
  port.write('AT+CGMM\r');
  await port.expect(/0\r$/, from);
  t.equal(port.since(from), 'E173\r\n0\r');
  const from2 = port.received.length;
  port.write('AT+NOPE\r');
  await port.expect(/4\r$/, from2);
  t.equal(port.since(from2), '4\r', 'ERROR is 4');
  const from3 = port.received.length;
  port.write('ATV1\r');
  await port.expect(/\r\nOK\r\n$/, from3);
  t.equal(port.since(from3), '\r\nOK\r\n');
});

t.test('identity: ATI, +CGMI, +CGMM, +CGMR, +CGSN and their +G aliases', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false, imei: '353607041234563' });
  t.same(await port.info('ATI'), ['Manufacturer: huawei', 'Model: E173', 'Revision: 11.126.85.00.209', 'IMEI: 353607041234563', '+GCAP: +CGSM,+DS,+ES']);
  t.same(await port.info('AT+CGMI'), ['huawei']);
  t.same(await port.info('AT+GMI'), ['huawei']);
  t.same(await port.info('AT+CGMM'), ['E173']);
  t.same(await port.info('AT+CGMR'), ['11.126.85.00.209']);
  t.same(await port.info('AT+CGSN'), ['353607041234563']);
  t.same(await port.info('AT+GSN'), ['353607041234563']);
  t.equal((await port.command('AT+CGMI=?')).final, 'OK');
});

t.test('the default IMEI is 15 digits with a valid Luhn check digit', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  const [imei] = await port.info('AT+CGSN');
  t.match(imei, /^\d{15}$/);
  const digits = [...imei!].map(Number);
  const sum = digits.reduce((acc, d, i) => acc + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  t.equal(sum % 10, 0);
});

t.test('+CMEE chooses how errors are reported: ERROR, numeric, verbose', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.same(await port.info('AT+CMEE?'), ['+CMEE: 0'], 'off after power-up');
  t.equal((await port.command('AT+CGACT=1,1')).final, 'ERROR', 'CMEE=0: plain ERROR');
  await port.command('AT+CMEE=1');
  t.equal((await port.command('AT+CGACT=1,1')).final, '+CME ERROR: 3');
  await port.command('AT+CMEE=2');
  t.equal((await port.command('AT+CGACT=1,1')).final, '+CME ERROR: operation not allowed');
  t.same(await port.info('AT+CMEE=?'), ['+CMEE: (0-2)']);
  t.equal((await port.command('AT+CMEE=7')).final, 'ERROR', 'out of range');
});

t.test('an unknown command answers ERROR, even with CMEE on', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CMEE=1');
  t.equal((await port.command('AT+XYZZY')).final, 'ERROR');
  t.equal((await port.command('AT^FOOBAR?')).final, 'ERROR');
  t.equal((await port.command('AT')).final, 'OK', 'the next command is fine');
});

t.test('older firmwares answer COMMAND NOT SUPPORT for unknown commands', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false, quirks: { unknownCommand: 'COMMAND NOT SUPPORT' } });
  t.equal((await port.command('AT^FOOBAR')).final, 'COMMAND NOT SUPPORT');
});

t.test('several commands on one line: basic ones run together, extended ones split by ";"', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.same((await port.command('ATE0V1')).lines, ['OK']);
  t.same((await port.command('AT+CMEE=1;+CREG=2;+CREG?')).lines, ['+CREG: 2,1,"3F0A","01A2B3C4"', 'OK']);
  t.same((await port.command('AT+CGMI;+XYZ;+CGMM')).lines, ['huawei', 'ERROR'], 'the line stops at the first failure');
});

t.test('lower case, a missing "AT" and a bad syntax', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.same((await port.command('at+cgmm')).lines, ['E173'].concat('OK'));
  const from = port.received.length;
  port.write('HELLO\r');
  t.equal((await port.command('AT')).final, 'OK');
  t.notMatch(port.since(from), /ERROR/, 'a line without AT is ignored');
  t.equal((await port.command('AT+CGDCONT=1,"IP","unterminated;+CGMM')).final, 'ERROR');
  t.equal((await port.command('AT=')).final, 'ERROR');
});

t.test('A/ repeats the previous command line', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CGMM');
  const from = port.received.length;
  port.write('A/');
  await port.expect(/OK\r\n$/, from);
  t.equal(port.since(from), '\r\nE173\r\n\r\nOK\r\n');
});

t.test('ATZ restores the power-up settings (echo on, CMEE off)', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CMEE=2');
  await port.command('ATZ');
  t.same((await port.command('AT+CMEE?')).lines, ['AT+CMEE?', '+CMEE: 0', 'OK']);
});

t.test('S-registers answer as three digits', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.same(await port.info('ATS3?'), ['013']);
  t.equal((await port.command('ATS0=0')).final, 'OK');
});

t.test('the simulator records every command line it received', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CSQ');
  t.same(sim.stick!.commands().slice(-2), ['ATE0', 'AT+CSQ']);
  t.equal(await sim.stick!.waitForCommand('+CSQ'), 'AT+CSQ');
});
