// The radio network through +CSQ, +CREG, +CGREG, +COPS, ^SYSINFO, +CFUN and the unsolicited
// ^RSSI, ^MODE, ^SRVST, +CREG/+CGREG reports.
import t from 'tap';
import { stickWithPort } from './helpers/sim.js';

t.test('+CSQ maps dBm to rssi (−113 + 2·rssi) and no coverage to 99', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false, signalDbm: -73 });
  t.same(await port.info('AT+CSQ'), ['+CSQ: 20,99']);
  sim.stick!.setSignal(-113);
  t.same(await port.info('AT+CSQ'), ['+CSQ: 0,99']);
  sim.stick!.setSignal(-51);
  t.same(await port.info('AT+CSQ'), ['+CSQ: 31,99']);
  sim.stick!.setSignal(-40);
  t.same(await port.info('AT+CSQ'), ['+CSQ: 31,99'], 'clamped at 31');
  sim.stick!.setSignal(null);
  t.same(await port.info('AT+CSQ'), ['+CSQ: 99,99']);
  t.same(await port.info('AT+CSQ=?'), ['+CSQ: (0-31,99),(0-7,99)']);
});

t.test('registration states as +CREG/+CGREG report them', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  const cases = [
    ['home', 1],
    ['roaming', 5],
    ['denied', 3],
    ['searching', 2],
    ['unknown', 4],
    ['not-registered', 0],
  ] as const;
  for (const [state, stat] of cases) {
    stick.setRegistration(state);
    t.same(await port.info('AT+CREG?'), [`+CREG: 0,${stat}`], state);
    t.same(await port.info('AT+CGREG?'), [`+CGREG: 0,${stat}`], state);
  }
  stick.setRegistration('home');
  stick.setCoverage(false);
  t.same(await port.info('AT+CREG?'), ['+CREG: 0,2'], 'no coverage: searching');
  stick.setCoverage(true);
  await port.until(() => stick.snapshot().registration === 'home', 'registration');
  t.same(await port.info('AT+CSQ'), ['+CSQ: 20,99'], 'the signal is back where it was');
});

t.test('+CREG=2 adds location; +CREG=1 and =2 report changes unsolicited', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CREG=2');
  t.same(await port.info('AT+CREG?'), ['+CREG: 2,1,"3F0A","01A2B3C4"']);
  await port.command('AT+CGREG=1');
  const from = port.received.length;
  sim.stick!.setRegistration('roaming');
  const text = await port.expect(/\+CGREG: 5\r\n/, from);
  t.match(text, /\r\n\+CREG: 5,"3F0A","01A2B3C4"\r\n/);
  const from2 = port.received.length;
  sim.stick!.setRegistration('denied');
  t.match(await port.expect(/\+CGREG: 3\r\n/, from2), /\r\n\+CREG: 3\r\n/, 'no location without registration');
  await port.command('AT+CREG=0');
  await port.command('AT+CGREG=0');
  const from3 = port.received.length;
  sim.stick!.setRegistration('home');
  t.equal((await port.command('AT')).final, 'OK');
  t.notMatch(port.since(from3), /\+C(G)?REG/, 'mode 0: no reports');
  t.same(await port.info('AT+CREG=?'), ['+CREG: (0-2)']);
});

t.test('+COPS? names the operator and technology; unregistered shows the mode only', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  t.same(await port.info('AT+COPS?'), ['+COPS: 0,0,"KPN NL",6'], 'HSPA is AcT 6');
  await port.command('AT+COPS=3,2');
  t.same(await port.info('AT+COPS?'), ['+COPS: 0,2,"20408",6'], 'numeric format');
  await port.command('AT+COPS=3,1');
  t.same(await port.info('AT+COPS?'), ['+COPS: 0,1,"KPN",6']);
  for (const [tech, act] of [['gsm', 0], ['edge', 3], ['umts', 2], ['hsdpa', 4], ['hsupa', 5]] as const) {
    stick.setTechnology(tech);
    t.same(await port.info('AT+COPS?'), [`+COPS: 0,1,"KPN",${act}`], tech);
  }
  stick.setSignal(null);
  t.same(await port.info('AT+COPS?'), ['+COPS: 0']);
});

t.test('+COPS=2 deregisters and +COPS=0 registers again', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  t.equal((await port.command('AT+COPS=2')).final, 'OK');
  t.same(await port.info('AT+CREG?'), ['+CREG: 0,0']);
  t.same(await port.info('AT+COPS?'), ['+COPS: 2']);
  t.equal((await port.command('AT+COPS=0')).final, 'OK');
  await port.until(() => sim.stick!.snapshot().registration === 'home', 'registration');
  t.same(await port.info('AT+COPS?'), ['+COPS: 0,0,"KPN NL",6']);
  await port.command('AT+CMEE=1');
  t.equal((await port.command('AT+COPS=1,2,"26201"')).final, '+CME ERROR: 111', 'a foreign network is not allowed');
  const scan = await port.info('AT+COPS=?');
  t.same(scan, ['+COPS: (2,"KPN NL","KPN","20408",6),,(0,1,2,3,4),(0,1,2)']);
});

t.test('^SYSINFO follows service, roaming, technology and the SIM', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  t.same(await port.info('AT^SYSINFO'), ['^SYSINFO:2,3,0,5,1,,7'], 'valid service, CS+PS, WCDMA/HSPA');
  stick.setTechnology('edge');
  t.same(await port.info('AT^SYSINFO'), ['^SYSINFO:2,3,0,3,1,,3'], 'GSM mode, EDGE');
  stick.setTechnology('umts');
  stick.setRegistration('roaming');
  t.same(await port.info('AT^SYSINFO'), ['^SYSINFO:2,3,1,5,1,,4'], 'roaming on WCDMA');
  stick.setRegistration('denied');
  t.same(await port.info('AT^SYSINFO'), ['^SYSINFO:1,4,0,5,1,,4'], 'restricted service');
  stick.setSignal(null);
  t.same(await port.info('AT^SYSINFO'), ['^SYSINFO:0,0,0,0,1,,0'], 'no service');
});

t.test('^SYSINFO without the optional fields on firmwares that omit them', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false, quirks: { sysinfo: 'short', spaceAfterColon: true } });
  t.same(await port.info('AT^SYSINFO'), ['^SYSINFO: 2,3,0,5,1']);
});

t.test('+CFUN: radio off deregisters, on registers again', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  t.same(await port.info('AT+CFUN?'), ['+CFUN: 1']);
  t.equal((await port.command('AT+CFUN=4')).final, 'OK');
  t.same(await port.info('AT+CFUN?'), ['+CFUN: 4']);
  t.same(await port.info('AT+CREG?'), ['+CREG: 0,0']);
  t.same(await port.info('AT+CSQ'), ['+CSQ: 99,99']);
  t.equal((await port.command('AT+CFUN=0')).final, 'OK');
  t.same(await port.info('AT+CFUN?'), ['+CFUN: 0']);
  t.equal((await port.command('AT+CFUN=1')).final, 'OK');
  await port.until(() => sim.stick!.snapshot().registration === 'home', 'registration');
  t.same(await port.info('AT+CREG?'), ['+CREG: 0,1']);
  t.equal((await port.command('AT+CFUN=9')).final, 'ERROR');
  t.same(await port.info('AT+CFUN=?'), ['+CFUN: (0,1,4,7),(0-1)']);
});

t.test('Huawei reports: ^RSSI on signal change, ^MODE on technology change, ^SRVST on service change', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: true });
  const stick = sim.stick!;
  let from = port.received.length;
  stick.setSignal(-91);
  t.match(await port.expect(/\^RSSI:11\r\n/, from), /^\r\n\^RSSI:11\r\n$/);
  from = port.received.length;
  stick.setTechnology('edge');
  t.equal(await port.expect(/\^MODE:3,3\r\n/, from), '\r\n^MODE:3,3\r\n');
  from = port.received.length;
  stick.setSignal(null);
  const lost = await port.expect(/\^SRVST:0\r\n/, from);
  t.match(lost, /\^RSSI:99/);
  t.match(lost, /\^MODE:0,0/);
  await port.command('AT^CURC=0');
  from = port.received.length;
  stick.setSignal(-61);
  t.equal((await port.command('AT')).final, 'OK');
  t.notMatch(port.since(from), /\^RSSI/, '^CURC=0 silences them');
  t.same(await port.info('AT^CURC?'), ['^CURC:0']);
});

t.test('^RSSI with a space after the colon on firmwares that print it so', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: true, quirks: { spaceAfterColon: true } });
  const from = port.received.length;
  sim.stick!.setSignal(-75);
  t.equal(await port.expect(/\r\n$/, from), '\r\n^RSSI: 19\r\n');
});

t.test('periodic ^BOOT on an idle port when configured', async (t) => {
  const { port } = await stickWithPort(t, { urcs: true, bootUrcIntervalMs: 20 });
  const from = port.received.length;
  const text = await port.expect(/\^BOOT:\d{8},0,0,0,72\r\n[\s\S]*\^BOOT:/, from);
  t.match(text, /^\r\n\^BOOT:\d{8},0,0,0,72\r\n/);
});
