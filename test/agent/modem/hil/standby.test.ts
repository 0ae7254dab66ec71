// Hardware in the loop: the modem over a real pty against the simulated Huawei stick, from
// power-up to registered (warm standby, R2), with and without a SIM PIN, and with the reply
// quirks of other firmwares.
import { hilTest, isState } from '../helpers/hil.js';

hilTest('reaches registered from power-up and reports signal, technology, operator, identity', {}, async (t, { stick, modem, until, events }) => {
  const snapshot = await until(isState('registered'), 'registered');
  t.match(snapshot, { registration: 'home', technology: 'hspa', signalDbm: -73, operator: 'KPN NL', negotiated: null, sessionWanted: false });
  t.match(snapshot.identity, { manufacturer: 'huawei', model: 'E173' });
  t.match(snapshot.identity?.imei, /^\d{15}$/);
  t.ok(events.some((e) => e.type === 'found'), 'found event');
  const sent = stick.commands();
  for (const command of ['ATE0', 'ATV1', 'AT+CMEE=1', 'AT^CURC=1', 'AT+CPIN?', 'AT+CREG=2', 'AT+CGREG=2', 'AT+CGDCONT=1,"IP","internet"']) {
    t.ok(sent.includes(command), `sent ${command}`);
  }
  t.notOk(sent.some((c) => c.startsWith('AT^NDISDUP')), 'no session while none is wanted');
  t.equal(stick.snapshot().session, null);
  stick.setSignal(-95);
  stick.setTechnology('edge');
  const moved = await until((s) => s.signalDbm === -95 && s.technology === 'edge', 'signal and mode from ^RSSI/^MODE');
  t.equal(moved.state, 'registered');
  t.equal(modem.snapshot().state, 'registered');
});

hilTest('a SIM asking for its PIN is unlocked with the configured one', { stick: { pin: '4711' }, modem: { pin: '4711' } }, async (t, { stick, until }) => {
  await until(isState('registered'), 'registered');
  t.same(stick.commands().filter((c) => c.startsWith('AT+CPIN=')), ['AT+CPIN="4711"']);
  t.equal(stick.snapshot().sim, 'ready');
});

hilTest('a wrong PIN is sent once and the SIM stays locked', { stick: { pin: '4711' }, modem: { pin: '1234' } }, async (t, { stick, until }) => {
  await until(isState('sim-locked'), 'sim-locked');
  t.same(stick.commands().filter((c) => c.startsWith('AT+CPIN=')), ['AT+CPIN="1234"']);
  t.equal(stick.snapshot().pinTriesLeft, 2, 'one try used, two left');
});

hilTest('no PIN configured: sim-locked without touching the SIM', { stick: { pin: '4711' } }, async (t, { stick, until }) => {
  await until(isState('sim-locked'), 'sim-locked');
  t.same(stick.commands().filter((c) => c.startsWith('AT+CPIN=')), []);
  t.equal(stick.snapshot().pinTriesLeft, 3);
});

hilTest(
  'other firmwares: spaces after colons, lower-case hex, ^NDISSTATQry, COMMAND NOT SUPPORT, short ^SYSINFO, no URCs',
  {
    stick: {
      urcs: false,
      quirks: { spaceAfterColon: true, hexCase: 'lower', ndisStatQueryTag: '^NDISSTATQry', unknownCommand: 'COMMAND NOT SUPPORT', sysinfo: 'short' },
    },
    modem: { timing: { connectPollMs: 50 } },
  },
  async (t, { stick, modem, until }) => {
    const registered = await until(isState('registered'), 'registered');
    t.equal(registered.signalDbm, -73);
    t.ok(registered.technology !== null, 'technology from the short ^SYSINFO or +COPS');
    modem.setSessionWanted(true);
    await until(isState('connected'), 'connected by polling ^NDISSTATQRY? (no ^NDISSTAT URC)');
    t.ok(stick.commands().includes('AT^NDISSTATQRY?'));
    stick.generateTraffic({ txBytes: 0xabcdef, rxBytes: 0x1234567 });
    const counters = await modem.readCounters();
    t.match(counters, { sessionTxBytes: 0xabcdef, sessionRxBytes: 0x1234567 });
  },
);

hilTest('a pulled SIM shows at once; the session comes back with the SIM', {}, async (t, { stick, modem, until }) => {
  modem.setSessionWanted(true);
  await until(isState('connected'), 'connected');
  stick.setSim('removed');
  await until(isState('sim-locked'), 'sim-locked');
  stick.setSim('ready');
  await until(isState('connected'), 'connected again');
  t.ok(stick.snapshot().session);
});
