// Data sessions through the pty: +CGDCONT, ^NDISDUP with ^NDISSTAT, ^NDISSTATQRY, ATD*99# with
// CONNECT, the +++ escape, ATH, and sessions lost with the network.
import t from 'tap';
import { stickWithPort } from './helpers/sim.js';

t.test('+CGDCONT defines, lists and deletes contexts', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.equal((await port.command('AT+CGDCONT=1,"IP","internet"')).final, 'OK');
  t.equal((await port.command('AT+CGDCONT=2,"IPV4V6","ims"')).final, 'OK');
  t.same(await port.info('AT+CGDCONT?'), ['+CGDCONT: 1,"IP","internet","0.0.0.0",0,0', '+CGDCONT: 2,"IPV4V6","ims","0.0.0.0",0,0']);
  t.equal((await port.command('AT+CGDCONT=2')).final, 'OK');
  t.same(await port.info('AT+CGDCONT?'), ['+CGDCONT: 1,"IP","internet","0.0.0.0",0,0']);
  t.equal((await port.command('AT+CGDCONT=1,"X25","x"')).final, 'ERROR', 'unknown PDP type');
  t.equal((await port.command('AT+CGDCONT=17,"IP","x"')).final, 'ERROR', 'cid out of range');
});

t.test('^NDISDUP brings the session up: OK first, then ^NDISSTAT: 1; hang-up reports ^NDISSTAT: 0', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  t.same(await port.info('AT^NDISSTATQRY?'), ['^NDISSTATQRY: 0,,,"IPV4"']);
  const reply = await port.command('AT^NDISDUP=1,1,"internet"');
  t.equal(reply.raw.startsWith('\r\nOK\r\n'), true, 'OK comes before the session is up');
  await port.expect(/\r\n\^NDISSTAT: 1,,,"IPV4"\r\n/);
  t.same(await port.info('AT^NDISSTATQRY?'), ['^NDISSTATQRY: 1,,,"IPV4"']);
  t.same(await port.info('AT+CGACT?'), ['+CGACT: 1,1']);
  const session = sim.stick!.snapshot().session;
  t.equal(session?.kind, 'ndis');
  t.equal(session?.apn, 'internet');
  const from = port.received.length;
  t.equal((await port.command('AT^NDISDUP=1,0')).final, 'OK');
  await port.expect(/\r\n\^NDISSTAT: 0,,,"IPV4"\r\n/, from);
  t.same(await port.info('AT^NDISSTATQRY?'), ['^NDISSTATQRY: 0,,,"IPV4"']);
  t.equal(sim.stick!.snapshot().session, null);
});

t.test('ModemManager\'s long ^NDISDUP form (user, password, auth) works; the APN may come from +CGDCONT', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  await port.command('AT^NDISDUP=1,1,"internet","user","secret",0');
  await port.expect(/\^NDISSTAT: 1/);
  await port.command('AT^NDISDUP=1,0');
  await port.expect(/\^NDISSTAT: 0/);
  await port.command('AT+CGDCONT=1,"IP","fromcontext"');
  await port.command('AT^NDISDUP=1,1');
  await port.until(() => sim.stick!.snapshot().session !== null, 'session');
  t.equal(sim.stick!.snapshot().session?.apn, 'fromcontext');
});

t.test('no session without network: CME 30; a wrong APN is rejected with ^NDISSTAT: 0,27', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false, apn: 'internet' });
  await port.command('AT+CMEE=1');
  sim.stick!.setRegistration('denied');
  t.equal((await port.command('AT^NDISDUP=1,1,"internet"')).final, '+CME ERROR: 30');
  sim.stick!.setRegistration('home');
  const from = port.received.length;
  t.equal((await port.command('AT^NDISDUP=1,1,"wrong.apn"')).final, 'OK');
  await port.expect(/\^NDISSTAT: 0,27,,"IPV4"\r\n/, from);
  t.equal(sim.stick!.snapshot().session, null);
  t.equal((await port.command('AT^NDISDUP=1,1,"INTERNET"')).final, 'OK', 'APNs compare case-insensitively');
  await port.expect(/\^NDISSTAT: 1,,,"IPV4"/, from);
});

t.test('a session is lost with coverage, registration or radio, with ^NDISSTAT: 0 (and +CGEV when asked)', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  await port.command('AT+CGEREP=1');
  t.same(await port.info('AT+CGEREP?'), ['+CGEREP: 1,0']);
  const up = async (): Promise<void> => {
    const from = port.received.length;
    await port.command('AT^NDISDUP=1,1,"internet"');
    await port.expect(/\^NDISSTAT: 1/, from);
  };
  await up();
  let from = port.received.length;
  stick.setSignal(null);
  t.match(await port.expect(/\+CGEV: NW DETACH\r\n/, from), /\^NDISSTAT: 0,,,"IPV4"/);
  stick.setSignal(-70);
  await port.until(() => stick.snapshot().registration === 'home', 'registration');
  await up();
  from = port.received.length;
  stick.setRegistration('denied');
  await port.expect(/\^NDISSTAT: 0/, from);
  stick.setRegistration('home');
  await up();
  from = port.received.length;
  await port.command('AT+CFUN=4');
  await port.expect(/\^NDISSTAT: 0/, from);
});

t.test('ATD*99# answers CONNECT; +++ returns to commands; ATH hangs up', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CGDCONT=1,"IP","internet"');
  const reply = await port.command('ATD*99#');
  t.equal(reply.final, 'CONNECT');
  t.equal(sim.stick!.snapshot().session?.kind, 'ppp');
  // In data mode the port carries PPP: what looks like a command is not answered.
  const from = port.received.length;
  port.write('AT\r');
  port.write('+++');
  await port.expect(/\r\nOK\r\n$/, from);
  t.equal(port.since(from), '\r\nOK\r\n', 'only the escape is answered');
  t.equal(sim.stick!.snapshot().session?.kind, 'ppp', 'the session survives the escape');
  t.equal((await port.command('ATO')).final, 'CONNECT', 'back to data');
  const from2 = port.received.length;
  port.write('+++');
  await port.expect(/\r\nOK\r\n$/, from2);
  t.equal((await port.command('ATH')).final, 'OK');
  t.equal(sim.stick!.snapshot().session, null);
  t.equal((await port.command('ATO')).final, 'NO CARRIER');
});

t.test('ATD*99***1# dials a given context; without network it answers NO CARRIER', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  t.equal((await port.command('ATD*99***1#')).final, 'CONNECT');
  port.write('+++');
  await port.expect(/\r\nOK\r\n$/);
  await port.command('ATH');
  sim.stick!.setSignal(null);
  t.equal((await port.command('ATD*99#')).final, 'NO CARRIER');
  t.equal((await port.command('ATD0612345678;')).final, 'NO CARRIER', 'no voice on this stick');
});

t.test('a PPP session lost in data mode ends with NO CARRIER on the port', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  t.equal((await port.command('ATD*99#')).final, 'CONNECT');
  const from = port.received.length;
  sim.stick!.setSignal(null);
  t.equal(await port.expect(/NO CARRIER\r\n$/, from), '\r\nNO CARRIER\r\n');
  t.equal((await port.command('AT')).final, 'OK', 'back in command mode');
});

t.test('^NDISSTATQry on firmwares with the mixed-case tag', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false, quirks: { ndisStatQueryTag: '^NDISSTATQry' } });
  t.same(await port.info('AT^NDISSTATQRY?'), ['^NDISSTATQry:0']);
});
