// Hardware in the loop: garbage and truncated replies on the line neither crash the modem nor
// corrupt the next reply, and unsolicited codes placed around replies are not taken for them.
import { hilTest, isState } from '../helpers/hil.js';

const QUICK = { timeouts: { commandMs: 500 } };

hilTest('garbage bytes on the line: no crash, the next reply is intact', { modem: QUICK }, async (t, { stick, modem, until }) => {
  modem.setSessionWanted(true);
  await until(isState('connected'), 'connected');
  stick.generateTraffic({ txBytes: 4321, rxBytes: 98_765 });
  for (let i = 0; i < 20; i++) stick.injectGarbage();
  stick.injectGarbage(Buffer.from([0x00, 0xff, 0x4f, 0x4b, 0x0d, 0x0a, 0x9c])); // "OK" amid noise
  t.match(await modem.readCounters(), { sessionTxBytes: 4321, sessionRxBytes: 98_765 });
  // A run longer than any line, without line ends (kept under the pty's buffer: the simulator
  // writes synchronously, and a larger write would block this very process).
  stick.injectGarbage('x'.repeat(3000));
  stick.injectGarbage(undefined, 900);
  t.match(await modem.readCounters(), { sessionTxBytes: 4321, sessionRxBytes: 98_765 }, 'after a 3 kB run without line ends');
  t.equal(modem.snapshot().state, 'connected');
});

hilTest('a truncated reply times out and the next reply is read correctly', { modem: QUICK }, async (t, { stick, modem, until }) => {
  modem.setSessionWanted(true);
  await until((s) => s.state === 'connected' && s.negotiated !== null, 'connected, rates read');
  stick.generateTraffic({ txBytes: 1000, rxBytes: 2000 });
  stick.truncateNextReply();
  await t.rejects(modem.readCounters(), { code: 'timeout' }, 'the final result never came');
  t.match(await modem.readCounters(), { sessionTxBytes: 1000, sessionRxBytes: 2000 });
  stick.truncateNextReply(8); // cut inside the ^DSFLOWQRY line
  await t.rejects(modem.readCounters(), { code: 'timeout' });
  t.match(await modem.readCounters(), { sessionTxBytes: 1000, sessionRxBytes: 2000 }, 'the half line is not glued onto the next reply');
  t.equal(modem.snapshot().state, 'connected');
});

hilTest(
  'URCs between echo and reply, before the final result and right after it go to their handlers',
  { modem: { timing: { standbyPollMs: 100 } } },
  async (t, { stick, modem, until, untilEvent }) => {
    await until(isState('registered'), 'registered');
    // A +CGREG URC inside the reply to AT+CGREG?: taken as roaming for a moment, then the
    // solicited reply (home) wins; had it been read as the reply, roaming would stay.
    stick.injectUrcs(['+CGREG: 5,"00C3","0000001A",6'], { at: 'before-final', command: 'AT+CGREG?' });
    await untilEvent((e) => e.type === 'state' && e.snapshot.registration === 'roaming', 'the URC seen');
    await until((s) => s.registration === 'home', 'the solicited reply wins');
    stick.injectUrcs(['^RSSI:5'], { at: 'after-echo', command: 'AT^DSFLOWQRY' });
    stick.injectUrcs(['^MODE:3,3'], { at: 'after-final', command: 'AT^DSFLOWQRY' });
    const counters = await modem.readCounters();
    t.match(counters, { sessionTxBytes: 0, sessionRxBytes: 0 });
    await untilEvent((e) => e.type === 'state' && e.snapshot.signalDbm === -103, '^RSSI:5 → −103 dBm');
    await untilEvent((e) => e.type === 'state' && e.snapshot.technology === 'edge', '^MODE:3,3 → EDGE');
  },
);

hilTest(
  'a stick that restarts by itself (echo back on, settings and session gone) is initialised again',
  { stick: { resetMode: 'in-place' }, modem: { ...QUICK, timing: { standbyPollMs: 100 } } },
  async (t, { stick, modem, until, untilTrue }) => {
    modem.setSessionWanted(true);
    await until(isState('connected'), 'connected');
    stick.sendUrc('^BOOT:12345678,0,0,0,72'); // periodic on real sticks; ignored without complaint
    const before = stick.commands().length;
    await stick.restart();
    t.equal(stick.snapshot().echo, true, 'echo is on after the restart');
    await untilTrue(() => stick.commands().slice(before).includes('ATE0'), 'init again (ATE0)');
    await until((s) => s.state === 'connected' && stick.snapshot().session !== null, 'connected again');
    t.equal(stick.snapshot().echo, false);
    t.equal(stick.snapshot().cregMode, 2);
  },
);
