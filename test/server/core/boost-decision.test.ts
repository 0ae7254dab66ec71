// The pure rules behind boosts and fair use (R5, R7, R8, R9, R22), without any I/O.
import t from 'tap';
import { decideOperatorBoost, decideSelfServiceBoost, type SelfServiceFacts } from '../../../server/core/boost-decision.js';
import { desiredFor, desiredMessage, sameDesired } from '../../../server/core/desired.js';
import { fairUseStatus, thresholdsReached, type FairUsePolicy } from '../../../server/core/fair-use.js';
import { presenceWins } from '../../../server/core/telemetry-order.js';
import { validateMessage } from '../../../shared/contract/index.js';
import { DAY_MS, FAIR_USE_CAP_BYTES, PROFILES } from '../../../shared/service.js';

const NOW = Date.parse('2026-03-10T09:00:00Z');
const policy: FairUsePolicy = { capBytes: FAIR_USE_CAP_BYTES, warnPercent: 80, atCap: 'hold-baseline' };

function facts(overrides: Partial<SelfServiceFacts> = {}): SelfServiceFacts {
  return {
    now: NOW,
    suspended: false,
    activeBoostId: null,
    devicePaths: ['mobile'],
    usedSlots: [],
    quota: 2,
    fairUse: fairUseStatus(0, policy),
    durationMs: DAY_MS,
    ...overrides,
  };
}

t.test('R5/R7: a self-service boost takes the lowest free slot and lasts 24 hours', async (t) => {
  t.same(decideSelfServiceBoost(facts()), { kind: 'grant', slot: 1, endsAt: NOW + DAY_MS });
  t.same(decideSelfServiceBoost(facts({ usedSlots: [1] })), { kind: 'grant', slot: 2, endsAt: NOW + DAY_MS });
  // A slot freed by a rejected boost is used again.
  t.same(decideSelfServiceBoost(facts({ usedSlots: [2] })), { kind: 'grant', slot: 1, endsAt: NOW + DAY_MS });
});

t.test('R7: the third self-service boost of a month is refused', async (t) => {
  const decision = decideSelfServiceBoost(facts({ usedSlots: [1, 2] }));
  t.equal(decision.kind, 'refuse');
  t.match(decision, { code: 'boost-quota-exhausted', detail: /helpdesk/ });
});

t.test('R7: a request while a boost is in force returns it and counts nothing', async (t) => {
  t.same(decideSelfServiceBoost(facts({ activeBoostId: 'bst_1', usedSlots: [1, 2] })), { kind: 'already-active', boostId: 'bst_1' });
  // Even on DSL: the boost in force is simply returned.
  t.same(decideSelfServiceBoost(facts({ activeBoostId: 'bst_1', devicePaths: ['dsl'] })), { kind: 'already-active', boostId: 'bst_1' });
});

t.test('R7 decision: refused while the router is on DSL; unknown paths do not block', async (t) => {
  t.match(decideSelfServiceBoost(facts({ devicePaths: ['dsl'] })), { kind: 'refuse', code: 'boost-on-dsl' });
  t.match(decideSelfServiceBoost(facts({ devicePaths: [null] })), { kind: 'grant' });
  t.match(decideSelfServiceBoost(facts({ devicePaths: ['none'] })), { kind: 'grant' });
  t.match(decideSelfServiceBoost(facts({ devicePaths: ['dsl', 'mobile'] })), { kind: 'grant' });
});

t.test('R9: over the cap with the hold-baseline policy no boost; warn-only allows it', async (t) => {
  const capped = fairUseStatus(FAIR_USE_CAP_BYTES, policy);
  t.match(decideSelfServiceBoost(facts({ fairUse: capped })), { kind: 'refuse', code: 'fair-use-cap-reached' });
  const warnOnly = fairUseStatus(FAIR_USE_CAP_BYTES, { ...policy, atCap: 'warn-only' });
  t.match(decideSelfServiceBoost(facts({ fairUse: warnOnly })), { kind: 'grant' });
});

t.test('R22 and enrollment come first', async (t) => {
  t.match(decideSelfServiceBoost(facts({ suspended: true, activeBoostId: 'x' })), { kind: 'refuse', code: 'subscription-suspended' });
  t.match(decideSelfServiceBoost(facts({ devicePaths: [] })), { kind: 'refuse', code: 'no-device' });
});

t.test('R8: operator boosts have a chosen duration up to the maximum', async (t) => {
  const base = { now: NOW, suspended: false, deviceCount: 1, maxDurationMs: 720 * 3_600_000 };
  t.same(decideOperatorBoost({ ...base, durationMs: 72 * 3_600_000 }), { kind: 'grant', endsAt: NOW + 72 * 3_600_000 });
  t.match(decideOperatorBoost({ ...base, durationMs: 721 * 3_600_000 }), { kind: 'refuse', code: 'boost-duration-too-long' });
  t.match(decideOperatorBoost({ ...base, suspended: true, durationMs: 60_000 }), { kind: 'refuse', code: 'subscription-suspended' });
  t.match(decideOperatorBoost({ ...base, deviceCount: 0, durationMs: 60_000 }), { kind: 'refuse', code: 'no-device' });
});

t.test('R9: levels and thresholds at 80 % and 100 % of 5 GB (up and down together)', async (t) => {
  t.same(thresholdsReached(3_999_999_999, policy), []);
  t.same(thresholdsReached(4_000_000_000, policy), [80]);
  t.same(thresholdsReached(5_000_000_000, policy), [80, 100]);
  t.match(fairUseStatus(4_000_000_000, policy), { level: 'warning', percent: 80, boostAllowed: true });
  t.match(fairUseStatus(5_000_000_001, policy), { level: 'capped', boostAllowed: false });
  t.match(fairUseStatus(1_000_000, policy), { level: 'normal', percent: 0 });
});

t.test('desired state: suspended beats a boost; a boost until its end; otherwise baseline', async (t) => {
  const boost = { id: 'bst_1', endsAt: NOW + DAY_MS };
  t.match(desiredFor({ suspended: false, boost, now: NOW }), { profile: 'boost', ...PROFILES.boost, untilAt: NOW + DAY_MS, boostId: 'bst_1', suspended: false });
  t.match(desiredFor({ suspended: true, boost, now: NOW }), { profile: 'baseline', ...PROFILES.baseline, boostId: null, suspended: true });
  t.match(desiredFor({ suspended: false, boost, now: NOW + DAY_MS }), { profile: 'baseline', untilAt: null });
  const a = desiredFor({ suspended: false, boost, now: NOW });
  t.ok(sameDesired(a, desiredFor({ suspended: false, boost, now: NOW + 1 })));
  t.notOk(sameDesired(a, desiredFor({ suspended: false, boost: null, now: NOW })));
  // What is published passes the shared schema (the agent parses it with the same one).
  t.ok(validateMessage('desired', desiredMessage(a, 7, NOW)).ok);
  t.ok(validateMessage('desired', desiredMessage(desiredFor({ suspended: true, boost: null, now: NOW }), 8, NOW)).ok);
});

t.test('presence: newer wins, replays change nothing, a Last Will ends an online session', async (t) => {
  const online = { state: 'online' as const, at: NOW };
  t.ok(presenceWins(null, { v: 1, state: 'online', at: new Date(NOW).toISOString() }));
  t.notOk(presenceWins(online, { v: 1, state: 'online', at: new Date(NOW).toISOString() }), 'a replay');
  t.notOk(presenceWins(online, { v: 1, state: 'offline', at: new Date(NOW - 1000).toISOString(), reason: 'shutdown' }), 'older');
  t.ok(presenceWins(online, { v: 1, state: 'offline', at: new Date(NOW - 1000).toISOString(), reason: 'connection-lost' }), 'the will');
  t.notOk(presenceWins({ state: 'offline', at: NOW }, { v: 1, state: 'offline', at: new Date(NOW - 1000).toISOString(), reason: 'connection-lost' }));
});
