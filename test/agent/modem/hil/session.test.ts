// Hardware in the loop: the data session (^NDISDUP), the rates (+CGEQREQ/+CGCMOD/+CGEQNEG)
// and the byte counters (^DSFLOWQRY, ^DSFLOWRPT) against the simulated stick.
import { PROFILES } from '../../../../shared/service.js';
import type { DataCounters } from '../../../../agent/modem/index.js';
import { hilTest, isState } from '../helpers/hil.js';

hilTest('connects a session when wanted and hangs up when not', {}, async (t, { stick, modem, until, untilTrue, events }) => {
  await until(isState('registered'), 'registered');
  modem.setSessionWanted(true);
  const up = await until(isState('connected'), 'connected');
  t.equal(up.sessionWanted, true);
  t.match(stick.snapshot().session, { kind: 'ndis', cid: 1, apn: 'internet' });
  t.ok(stick.commands().includes('AT^NDISDUP=1,1,"internet"'));
  await until((s) => s.negotiated !== null, 'negotiated rates read after connect');
  const states = events.flatMap((e) => (e.type === 'state' ? [e.snapshot.state] : []));
  t.ok(states.indexOf('connecting') < states.indexOf('connected'), 'connecting, then connected');

  modem.setSessionWanted(false);
  const down = await until(isState('registered'), 'registered again');
  t.equal(down.negotiated, null);
  await stick.waitForCommand('AT^NDISDUP=1,0', { timeoutMs: 20_000 });
  await untilTrue(() => stick.snapshot().session === null, 'the stick has no session');
  modem.setSessionWanted(true);
  await until(isState('connected'), 'connected again');
});

hilTest('data not allowed (R22) hangs up whatever is wanted', {}, async (t, { stick, modem, until, untilTrue }) => {
  modem.setSessionWanted(true);
  await until(isState('connected'), 'connected');
  modem.setDataAllowed(false);
  const held = await until(isState('registered'), 'hung up');
  t.equal(held.sessionWanted, false);
  await untilTrue(() => stick.snapshot().session === null, 'the stick has no session');
  modem.setDataAllowed(true);
  await until(isState('connected'), 'connected again');
});

hilTest('requested rates round-trip: on the grid, applied at connect, modified while up', {}, async (t, { stick, modem, until }) => {
  await until(isState('registered'), 'registered');
  t.equal(await modem.requestRates(PROFILES.boost), null, 'no session: nothing negotiated yet');
  t.same(stick.snapshot().requested[1], { downKbps: 3584, upKbps: 1408 }, 'R4 snapped onto the grid');
  modem.setSessionWanted(true);
  const up = await until((s) => s.state === 'connected' && s.negotiated !== null, 'connected with negotiated rates');
  t.same(up.negotiated, { downKbps: 3584, upKbps: 1408 }, 'the request applied at connect');
  t.same(stick.snapshot().session?.negotiated, { downKbps: 3584, upKbps: 1408 });

  const baseline = await modem.requestRates(PROFILES.baseline);
  t.same(baseline, { downKbps: 128, upKbps: 64 }, 'R3 granted while up (+CGCMOD)');
  t.same(modem.snapshot().negotiated, { downKbps: 128, upKbps: 64 });
  t.same(stick.snapshot().session?.negotiated, { downKbps: 128, upKbps: 64 });
  t.ok(stick.commands().includes('AT+CGCMOD=1'));

  stick.setCellCapacity({ downKbps: 1024, upKbps: 512 });
  t.same(await modem.requestRates(PROFILES.boost), { downKbps: 1024, upKbps: 512 }, 'the cell caps the grant; the figure is reported as granted');
});

hilTest('rates asked while the dial is under way are applied once the session is up', {}, async (t, { modem, until }) => {
  await until(isState('registered'), 'registered');
  modem.setSessionWanted(true);
  const answer = await modem.requestRates(PROFILES.boost);
  t.ok(answer === null || answer.downKbps === 3584, 'null (no session yet) or the grant');
  const up = await until((s) => s.state === 'connected' && s.negotiated !== null && s.negotiated.downKbps === 3584, 'boost granted');
  t.same(up.negotiated, { downKbps: 3584, upKbps: 1408 });
});

hilTest('rates survive a stick restart: asked again at setup', {}, async (t, { stick, modem, until }) => {
  await until(isState('registered'), 'registered');
  await modem.requestRates(PROFILES.boost);
  await stick.unplug();
  await until(isState('absent'), 'absent');
  await stick.replug();
  await until(isState('registered'), 'registered after replug');
  t.same(stick.snapshot().requested[1], { downKbps: 3584, upKbps: 1408 });
});

hilTest('no stick: rates and counters reject with `absent`', { start: false }, async (t, { modem }) => {
  await t.rejects(modem.requestRates(PROFILES.baseline), { code: 'absent' });
  await t.rejects(modem.readCounters(), { code: 'absent' });
});

hilTest('^DSFLOWQRY counters read, and ^DSFLOWRPT reported as counters events', { stick: { dsflowReportIntervalMs: 100 } }, async (t, { stick, modem, until, untilEvent }) => {
  modem.setSessionWanted(true);
  await until(isState('connected'), 'connected');
  stick.generateTraffic({ txBytes: 150_000, rxBytes: 2_500_000 });
  const read = await modem.readCounters();
  t.match(read, { sessionTxBytes: 150_000, sessionRxBytes: 2_500_000, totalTxBytes: 150_000, totalRxBytes: 2_500_000 });
  t.type(read.readAt, 'number');
  const event = await untilEvent((e) => e.type === 'counters' && e.counters.sessionRxBytes >= 2_500_000, '^DSFLOWRPT counters');
  const counters = (event as { counters: DataCounters }).counters;
  t.equal(counters.sessionTxBytes, 150_000);
  t.equal(counters.totalTxBytes, null, '^DSFLOWRPT has no totals');
});
