// The status message and the events the agent sends pass the contract, and the status is
// republished at once only for changes that matter.
import t from 'tap';
import { validateMessage } from '../../../shared/contract/index.js';
import { TestClock } from '../../../shared/clock.js';
import { buildStatus, statusFingerprint, type StatusParts } from '../../../agent/status/status.js';
import { fairUseEvent, modemEvent, pathEvent, profileEvent } from '../../../agent/status/events.js';
import { StatusPublisher } from '../../../agent/status/status-publisher.js';
import type { Status } from '../../../shared/contract/messages.js';

const now = Date.parse('2026-03-10T09:00:00Z');
const parts = (over: Partial<StatusParts> = {}): StatusParts => ({
  now,
  activePath: 'dsl',
  pathSince: now - 60_000,
  dsl: { state: 'up', since: now - 60_000, downKbps: 100_000, upKbps: 40_000 },
  modem: { state: 'registered', registration: 'home', technology: 'hspa', signalDbm: -73, operator: 'KPN NL' },
  profile: { name: 'baseline', seq: 0, downKbps: 128, upKbps: 64, until: null, boostId: null, suspended: false },
  usage: { period: '2026-03', upBytes: 1, downBytes: 2 },
  agentVersion: '0.1.0',
  router: { model: 'FRITZ!Box 7490', firmware: '113.07.29' },
  ...over,
});
const ids = (prefix: string) => `${prefix}-1`;

t.test('the status passes the contract, VDSL rates and odd signal values included', async (t) => {
  const status = buildStatus(parts({ modem: { state: 'connected', registration: 'roaming', technology: 'umts', signalDbm: -125.4, operator: '  ' } }));
  t.ok(validateMessage('status', status).ok, JSON.stringify(validateMessage('status', status)));
  t.equal(status.modem.signalDbm, -120, 'clamped to the contract range');
  t.equal(status.modem.operator, null);
  t.equal(status.dsl.downKbps, 100_000);
  t.ok(validateMessage('status', buildStatus(parts({ router: null, modem: { state: 'absent', registration: null, technology: null, signalDbm: null, operator: null } }))).ok);
});

t.test('the fingerprint ignores time, usage and small signal moves, not what matters', async (t) => {
  const base = statusFingerprint(buildStatus(parts()));
  t.equal(statusFingerprint(buildStatus(parts({ now: now + 5_000, usage: { period: '2026-03', upBytes: 9, downBytes: 9 } }))), base);
  t.equal(statusFingerprint(buildStatus(parts({ modem: { ...parts().modem, signalDbm: -75 } }))), base, '2 dB is noise');
  t.not(statusFingerprint(buildStatus(parts({ modem: { ...parts().modem, signalDbm: -91 } }))), base, '18 dB is news');
  t.not(statusFingerprint(buildStatus(parts({ activePath: 'mobile' }))), base);
  t.not(statusFingerprint(buildStatus(parts({ dsl: { ...parts().dsl, state: 'down' } }))), base);
  t.not(statusFingerprint(buildStatus(parts({ profile: { ...parts().profile, name: 'boost', seq: 3 } }))), base);
});

t.test('the publisher sends changes at once (coalesced) and refreshes periodically', async (t) => {
  const clock = new TestClock(now);
  let current = parts();
  const sent: Status[] = [];
  const publisher = new StatusPublisher({ clock, intervalMs: 300_000, build: () => buildStatus({ ...current, now: clock.now() }), publish: (s) => sent.push(s) });
  publisher.start();
  t.equal(sent.length, 1, 'one at start');
  current = parts({ activePath: 'mobile' });
  publisher.changed();
  publisher.changed();
  await Promise.resolve();
  t.equal(sent.length, 2, 'two calls in one tick: one status');
  publisher.changed();
  await Promise.resolve();
  t.equal(sent.length, 2, 'no change: nothing sent');
  clock.advance(300_000);
  t.equal(sent.length, 3, 'the periodic refresh');
  t.equal(sent[2]!.at, new Date(now + 300_000).toISOString());
  publisher.stop();
  clock.advance(600_000);
  t.equal(sent.length, 3);
});

t.test('every event the agent builds passes the contract', async (t) => {
  const events = [
    pathEvent({ type: 'failover', at: now, from: 'dsl', to: 'mobile', reason: 'DSL link down', evidence: ['PhysicalLinkStatus Down', 'x'.repeat(500)] }, ids),
    pathEvent({ type: 'failback', at: now, from: 'mobile', to: 'dsl', reason: 'DSL up and stable for 30 s', evidence: [] }, ids),
    pathEvent({ type: 'outage', at: now, from: 'mobile', to: 'none', reason: '', evidence: Array.from({ length: 30 }, () => 'e') }, ids),
    profileEvent({ type: 'profile-applied', at: now, seq: 4, profile: 'boost', downKbps: 3584, upKbps: 1408, until: now + 86_400_000, boostId: 'boost-4' }, ids),
    profileEvent({ type: 'profile-expired', at: now, seq: 4, profile: 'boost', boostId: null }, ids),
    fairUseEvent({ period: '2026-03', thresholdPercent: 80, usedBytes: 4_000_000_000, capBytes: 5_000_000_000, at: now }),
    modemEvent({ type: 'lost', reason: 'the terminal closed' }, now, ids),
    modemEvent({ type: 'found', identity: { manufacturer: 'huawei', model: 'E173', imei: '35 bad' } }, now, ids),
    modemEvent({ type: 'reset', step: 'cfun-reset', reason: 'no answer to 3 commands' }, now, ids),
  ];
  for (const event of events) t.ok(validateMessage('events', event).ok, JSON.stringify(validateMessage('events', event)));
  t.equal(modemEvent({ type: 'counters', counters: { sessionTxBytes: 0, sessionRxBytes: 0, sessionSeconds: 0, totalTxBytes: null, totalRxBytes: null, readAt: now } }, now, ids), null);
  t.equal(fairUseEvent({ period: '2026-03', thresholdPercent: 100, usedBytes: 1, capBytes: 1, at: now }).id, 'fair-use-2026-03-100', 'a fixed id: a repeat is a duplicate');
});
