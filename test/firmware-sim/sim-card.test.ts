// The SIM through +CPIN / ^CPIN / +CIMI: ready, PIN asked, wrong PIN, PUK after three tries,
// SIM busy after power-up, SIM removed.
import t from 'tap';
import { stickWithPort } from './helpers/sim.js';

t.test('without a PIN the SIM is ready and the stick registers', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.same(await port.info('AT+CPIN?'), ['+CPIN: READY']);
  t.same(await port.info('AT^CPIN?'), ['^CPIN: READY,,10,3,10,3']);
  t.same(await port.info('AT+CIMI'), ['204080123456789']);
  await port.command('AT+CMEE=1');
  t.equal((await port.command('AT+CPIN="1234"')).final, '+CME ERROR: 3', 'no PIN is asked for');
});

t.test('a PIN-locked SIM: asks, refuses wrong PINs, unlocks with the right one, then registers', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false, pin: '4321' });
  await port.command('AT+CMEE=1');
  t.same(await port.info('AT+CPIN?'), ['+CPIN: SIM PIN']);
  t.same(await port.info('AT+CREG?'), ['+CREG: 0,0'], 'not registered while locked');
  t.equal((await port.command('AT+CIMI')).final, '+CME ERROR: 11');
  t.equal((await port.command('AT^NDISDUP=1,1,"internet"')).final, '+CME ERROR: 11');
  t.equal((await port.command('AT+CPIN="0000"')).final, '+CME ERROR: 16', 'incorrect password');
  t.same(await port.info('AT^CPIN?'), ['^CPIN: SIM PIN,2,10,2,10,3'], 'two tries left');
  t.equal((await port.command('AT+CPIN="4321"')).final, 'OK');
  t.same(await port.info('AT+CPIN?'), ['+CPIN: READY']);
  await port.until(() => sim.stick!.snapshot().registration === 'home', 'registration after unlock');
  t.same(await port.info('AT+CREG?'), ['+CREG: 0,1']);
});

t.test('three wrong PINs ask for the PUK; PUK and a new PIN unlock', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false, pin: '4321', puk: '87654321' });
  await port.command('AT+CMEE=2');
  for (let i = 0; i < 3; i++) t.equal((await port.command('AT+CPIN="1111"')).final, '+CME ERROR: incorrect password');
  t.same(await port.info('AT+CPIN?'), ['+CPIN: SIM PUK']);
  t.equal((await port.command('AT+CPIN="4321"')).final, '+CME ERROR: SIM PUK required', 'the old PIN no longer helps');
  t.equal((await port.command('AT+CPIN="00000000","1234"')).final, '+CME ERROR: incorrect password', 'wrong PUK');
  t.same(await port.info('AT^CPIN?'), ['^CPIN: SIM PUK,9,9,0,10,3']);
  t.equal((await port.command('AT+CPIN="87654321","1234"')).final, 'OK');
  t.same(await port.info('AT+CPIN?'), ['+CPIN: READY']);
});

t.test('the SIM is busy for a while after power-up (CME 14)', async (t) => {
  // Latency is the point here: a SIM-busy window far longer than the test.
  const { sim, port } = await stickWithPort(t, { urcs: false, latencies: { simBusy: 600_000 } });
  await port.command('AT+CMEE=1');
  t.equal((await port.command('AT+CPIN?')).final, '+CME ERROR: 14');
  t.equal((await port.command('AT+CGMM')).final, 'OK', 'commands without the SIM still work');
  t.equal(sim.stick!.snapshot().sim, 'ready');
});

t.test('SIM removed: +CPIN? says not inserted, ^SIMST reports it, the session drops', async (t) => {
  const { sim, port } = await stickWithPort(t);
  await port.command('AT+CMEE=1');
  await port.command('AT+CREG=1');
  await port.command('AT^NDISDUP=1,1,"internet"');
  await port.expect(/\^NDISSTAT: 1,,,"IPV4"/);
  const from = port.received.length;
  sim.stick!.setSim('removed');
  const text = await port.expect(/\^NDISSTAT: 0,,,"IPV4"[\s\S]*\+CREG: 0/, from);
  t.match(text, /\^SIMST:255/);
  t.equal((await port.command('AT+CPIN?')).final, '+CME ERROR: 10');
  t.equal((await port.command('AT+CIMI')).final, '+CME ERROR: 10');
  t.match(await port.info('AT^SYSINFO'), [/^\^SYSINFO:\d,\d,0,\d,255,,\d$/]);
  sim.stick!.setSim('ready');
  t.ok((await port.info('AT+CPIN?')).includes('+CPIN: READY'), 'reinserted (registration reports may come along)');
});

t.test('the SIM asks for its PIN again after a restart', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false, pin: '4321', resetMode: 'in-place' });
  await port.command('AT+CPIN="4321"');
  await sim.stick!.restart();
  t.same((await port.command('AT+CPIN?')).lines, ['AT+CPIN?', '+CPIN: SIM PIN', 'OK'], 'echo is back on after the restart');
});
