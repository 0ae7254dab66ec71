// R16: the online guarantee judged from constructed timelines: just under and just over
// 4 hours, an outage broken by a mobile session, a silent router, a second claim in a month,
// the month boundary, and the soundness of "not eligible" and "eligible" against any
// filling-in of the missing data (property).
import fc from 'fast-check';
import t from 'tap';
import { periodById } from '../../../shared/period.js';
import { GUARANTEE_OUTAGE_MS, HOUR_MS, MONTHLY_FEE_CENTS } from '../../../shared/service.js';
import type { Path } from '../../../shared/contract/messages.js';
import { decideGuaranteeClaim, formatDuration, guaranteeRecordRange, judgeGuarantee, type GuaranteeRefund } from '../../../server/rules/guarantee.js';
import { pathRecordFromEvent, pathRecordFromStatus, presenceRecord, type TimelineRecord } from '../../../server/rules/guarantee-timeline.js';
import { AT, failoverEvent, presence as presenceMessage, status as statusMessage } from '../../fixtures/messages.js';
import { local, MINUTE_MS, show } from './local-time.js';

const MARCH = '2026-03';
const END_OF_MARCH = local('2026-04-02 12:00'); // judged after the month

const online = (at: string, reason?: 'startup'): TimelineRecord => ({ kind: 'presence', at: local(at), state: 'online', ...(reason ? { reason } : {}) });
const offline = (at: string, reason: 'connection-lost' | 'shutdown' = 'connection-lost'): TimelineRecord => ({ kind: 'presence', at: local(at), state: 'offline', reason });
const path = (at: string, to: Path): TimelineRecord => ({
  kind: 'path',
  at: local(at),
  path: to,
  source: to === 'none' ? 'outage' : to === 'mobile' ? 'failover' : 'failback',
});

/** A router online on DSL since February, then whatever the test adds. */
function timeline(...records: TimelineRecord[]): TimelineRecord[] {
  return [online('2026-02-20 09:00'), path('2026-02-20 09:00', 'dsl'), ...records];
}

t.test('an outage of 3 h 59 min is not eligible, with the outage as evidence', async (t) => {
  const verdict = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: timeline(path('2026-03-10 10:00', 'none'), path('2026-03-10 13:59', 'mobile')) });
  t.equal(verdict.verdict, 'not-eligible');
  if (verdict.verdict !== 'not-eligible') return;
  t.same(
    [show(verdict.longestOutage!.start), show(verdict.longestOutage!.end), verdict.longestOutage!.durationMs],
    ['Tue 2026-03-10 10:00 +01:00', 'Tue 2026-03-10 13:59 +01:00', 3 * HOUR_MS + 59 * MINUTE_MS],
  );
  t.equal(verdict.reason, 'the longest outage lasted 3 h 59 min, not more than 4 hours');
  t.same(verdict.missing, [], 'nothing missing');
  t.equal(verdict.coverage.unknownMs, 0);
});

t.test('an outage of 4 h 01 min is eligible: the month’s fee is refunded', async (t) => {
  const decision = decideGuaranteeClaim({
    subscriptionId: 'sub-1',
    period: MARCH,
    now: END_OF_MARCH,
    records: timeline(path('2026-03-10 10:00', 'none'), path('2026-03-10 14:01', 'dsl')),
    refunds: [],
  });
  t.equal(decision.verdict, 'eligible');
  if (decision.verdict !== 'eligible') return;
  t.same([show(decision.outage.start), show(decision.outage.breachAt!), decision.outage.durationMs], ['Tue 2026-03-10 10:00 +01:00', 'Tue 2026-03-10 14:00 +01:00', 4 * HOUR_MS + MINUTE_MS]);
  t.ok(decision.outage.startKnown);
  t.same(decision.refund, { subscriptionId: 'sub-1', period: MARCH, amountCents: MONTHLY_FEE_CENTS, outageStart: local('2026-03-10 10:00'), outageEnd: local('2026-03-10 14:01'), decidedAt: END_OF_MARCH });
  t.equal(decision.refund.amountCents, 1000, 'EUR 10 (R19)');
});

t.test('exactly 4 h is not "more than 4 consecutive hours"', async (t) => {
  const verdict = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: timeline(path('2026-03-10 10:00', 'none'), path('2026-03-10 14:00', 'dsl')) });
  t.equal(verdict.verdict, 'not-eligible');
  const justOver = judgeGuarantee({
    period: MARCH,
    now: END_OF_MARCH,
    records: timeline(path('2026-03-10 10:00', 'none'), { kind: 'path', at: local('2026-03-10 14:00') + 1, path: 'dsl', source: 'failback' }),
  });
  t.equal(justOver.verdict, 'eligible', 'one millisecond more is');
});

t.test('an outage with the mobile session up in between is two outages, not one', async (t) => {
  const verdict = judgeGuarantee({
    period: MARCH,
    now: END_OF_MARCH,
    records: timeline(path('2026-03-10 10:00', 'none'), path('2026-03-10 12:00', 'mobile'), path('2026-03-10 12:20', 'none'), path('2026-03-10 15:00', 'dsl')),
  });
  t.equal(verdict.verdict, 'not-eligible', '4 h 40 min without DSL, but mobile worked for 20 min in between');
  if (verdict.verdict !== 'not-eligible') return;
  t.equal(verdict.longestOutage!.durationMs, 2 * HOUR_MS + 40 * MINUTE_MS);
  t.equal(show(verdict.longestOutage!.start), 'Tue 2026-03-10 12:20 +01:00');
});

t.test('a router that was silent: its last path does not extend through the silence → undecidable', async (t) => {
  const records = timeline(offline('2026-03-10 10:00'), online('2026-03-10 16:00'), path('2026-03-10 16:00', 'dsl'));
  const verdict = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records });
  t.equal(verdict.verdict, 'undecidable');
  if (verdict.verdict !== 'undecidable') return;
  t.same(verdict.missing, [{ from: local('2026-03-10 10:00'), to: local('2026-03-10 16:00'), cause: 'offline' }]);
  t.equal(verdict.reason, 'no data for 6 h where an outage of more than 4 hours could have been');
  t.equal(verdict.longestOutage, null);
  t.equal(verdict.coverage.unknownMs, 6 * HOUR_MS);
});

t.test('a silence too short to hide an outage does not stop a verdict', async (t) => {
  const records = timeline(offline('2026-03-10 10:00'), online('2026-03-10 13:00'), path('2026-03-10 13:00', 'dsl'));
  const verdict = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records });
  t.equal(verdict.verdict, 'not-eligible', '3 h of silence between two DSL stretches cannot be more than 4 h');
  if (verdict.verdict === 'not-eligible') t.same(verdict.missing, [{ from: local('2026-03-10 10:00'), to: local('2026-03-10 13:00'), cause: 'offline' }]);
  // ... but next to a known outage it can: 2 h none + 3 h silence could be 5 h.
  const adjacent = timeline(path('2026-03-10 08:00', 'none'), offline('2026-03-10 10:00'), online('2026-03-10 13:00'), path('2026-03-10 13:00', 'dsl'));
  t.equal(judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: adjacent }).verdict, 'undecidable');
});

t.test('records delivered late from the outbox do not fill a silence by default; agent testimony can', async (t) => {
  // The agent lost DSL and mobile at 10:00, so lost the broker too (Last Will at 10:01); it
  // came back at 15:00 and delivered its queued outage and failback events.
  const records = timeline(path('2026-03-10 10:00', 'none'), offline('2026-03-10 10:01'), path('2026-03-10 15:00', 'dsl'), online('2026-03-10 15:00'));
  t.equal(judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records }).verdict, 'undecidable', 'strict (default)');
  const trusted = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records, silence: 'agent-testimony' });
  t.equal(trusted.verdict, 'eligible', 'the same agent process saw it through');
  if (trusted.verdict === 'eligible') t.equal(trusted.outage.durationMs, 5 * HOUR_MS);
  const restarted = timeline(path('2026-03-10 10:00', 'none'), offline('2026-03-10 10:01'), path('2026-03-10 15:00', 'dsl'), online('2026-03-10 15:00', 'startup'));
  t.equal(judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: restarted, silence: 'agent-testimony' }).verdict, 'undecidable', 'a restart breaks the testimony');
  const stopped = timeline(path('2026-03-10 10:00', 'none'), offline('2026-03-10 10:01', 'shutdown'), path('2026-03-10 15:00', 'dsl'), online('2026-03-10 15:00'));
  t.equal(judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: stopped, silence: 'agent-testimony' }).verdict, 'undecidable', 'so does a shutdown');
});

t.test('a recording gap is missing data too', async (t) => {
  const records = timeline(path('2026-03-10 10:00', 'none'), { kind: 'gap', from: local('2026-03-10 12:00'), to: local('2026-03-10 15:00') }, path('2026-03-10 15:00', 'dsl'));
  const verdict = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records });
  t.equal(verdict.verdict, 'undecidable');
  if (verdict.verdict === 'undecidable') t.same(verdict.missing, [{ from: local('2026-03-10 12:00'), to: local('2026-03-10 15:00'), cause: 'gap' }]);
});

t.test('a second claim in the same month: already refunded; another month is judged', async (t) => {
  const records = timeline(path('2026-03-10 10:00', 'none'), path('2026-03-10 15:00', 'dsl'), path('2026-03-20 10:00', 'none'), path('2026-03-20 18:00', 'dsl'));
  const first = decideGuaranteeClaim({ subscriptionId: 'sub-1', period: MARCH, now: END_OF_MARCH, records, refunds: [] });
  t.equal(first.verdict, 'eligible');
  const refunds: GuaranteeRefund[] = first.verdict === 'eligible' ? [first.refund] : [];
  const second = decideGuaranteeClaim({ subscriptionId: 'sub-1', period: MARCH, now: END_OF_MARCH + HOUR_MS, records, refunds });
  t.equal(second.verdict, 'already-refunded', 'even with a second long outage in March');
  if (second.verdict === 'already-refunded') t.equal(second.refund, refunds[0]);
  const otherSubscription = decideGuaranteeClaim({ subscriptionId: 'sub-2', period: MARCH, now: END_OF_MARCH, records, refunds });
  t.equal(otherSubscription.verdict, 'eligible', 'the limit is per subscription');
  const april = decideGuaranteeClaim({ subscriptionId: 'sub-1', period: '2026-04', now: local('2026-05-02 12:00'), records, refunds });
  t.equal(april.verdict, 'not-eligible', 'April is judged on its own');
});

t.test('an outage across the month boundary counts for the month in which its 4 hours ran out', async (t) => {
  const records = timeline(path('2026-03-31 22:00', 'none'), path('2026-04-01 03:00', 'dsl'));
  const march = judgeGuarantee({ period: MARCH, now: local('2026-04-05 12:00'), records });
  t.equal(march.verdict, 'not-eligible');
  t.equal(march.reason, 'the outage of 5 h passed 4 hours in 2026-04, so it counts for that month');
  const april = judgeGuarantee({ period: '2026-04', now: local('2026-04-05 12:00'), records });
  t.equal(april.verdict, 'eligible');
  if (april.verdict === 'eligible') t.equal(show(april.outage.breachAt!), 'Wed 2026-04-01 02:00 +02:00');
  t.same(guaranteeRecordRange('2026-04'), { from: periodById('2026-04').start - GUARANTEE_OUTAGE_MS, to: periodById('2026-04').end + GUARANTEE_OUTAGE_MS });
  if (march.verdict === 'not-eligible') t.same([show(march.longestOutage!.start), show(march.longestOutage!.end)], ['Tue 2026-03-31 22:00 +02:00', 'Wed 2026-04-01 03:00 +02:00'], 'the evidence shows the whole outage');
});

t.test('a claim during the month judges up to now; an outage still going counts once past 4 h', async (t) => {
  const records = timeline(path('2026-03-10 10:00', 'none'));
  const early = judgeGuarantee({ period: MARCH, now: local('2026-03-10 13:00'), records });
  t.equal(early.verdict, 'not-eligible', '3 h so far');
  if (early.verdict === 'not-eligible') t.ok(early.longestOutage?.continuesPastEnd);
  const later = judgeGuarantee({ period: MARCH, now: local('2026-03-10 14:30'), records });
  t.equal(later.verdict, 'eligible');
  if (later.verdict === 'eligible') t.equal(later.reason, 'no connection for 4 h 30 min or more, more than 4 hours');
  t.throws(() => judgeGuarantee({ period: '2026-04', now: local('2026-03-31 12:00'), records }), { code: 'period-not-started' });
});

t.test('out of service (suspended, not yet delivered) is neither outage nor missing data', async (t) => {
  const suspended = timeline(path('2026-03-10 10:00', 'none'), path('2026-03-10 18:00', 'dsl'));
  const outOfService = [{ from: local('2026-03-10 11:00'), to: local('2026-03-10 17:00'), reason: 'suspended' as const }];
  t.equal(judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: suspended, outOfService }).verdict, 'not-eligible', 'R22: mobile data off while suspended');
  // Delivered on 10 March: no records before. Without saying so, the start is missing data.
  const fresh = [online('2026-03-10 12:00'), path('2026-03-10 12:00', 'dsl')];
  t.equal(judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: fresh }).verdict, 'undecidable');
  const notYet = [{ from: local('2026-01-01 00:00'), to: local('2026-03-10 12:00'), reason: 'not-in-service' as const }];
  t.equal(judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: fresh, outOfService: notYet }).verdict, 'not-eligible');
});

t.test('an outage at the start of the data may have begun earlier: not certain', async (t) => {
  // The first record (inside the window) already says "none": when did it start?
  const records = [online('2026-03-01 01:00'), path('2026-03-01 01:00', 'none'), path('2026-03-01 07:00', 'dsl')];
  const verdict = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records });
  t.equal(verdict.verdict, 'undecidable', 'it may have run past 4 h in February');
});

t.test('formatDuration', async (t) => {
  t.equal(formatDuration(3 * HOUR_MS + 59 * MINUTE_MS), '3 h 59 min');
  t.equal(formatDuration(25 * MINUTE_MS + 30_000), '25 min 30 s');
  t.equal(formatDuration(5), '5 ms');
});

// Timelines as a sequence of stretches in March: a path (agent online) or a silence.
type Stretch = { readonly minutes: number; readonly state: Path | 'silent' };
const stretch = fc.record({ minutes: fc.integer({ min: 1, max: 8 * 60 }), state: fc.constantFrom<Path | 'silent'>('dsl', 'mobile', 'none', 'none', 'silent') });

function recordsOf(stretches: readonly Stretch[], fill: readonly Path[] = []): TimelineRecord[] {
  const records: TimelineRecord[] = [{ kind: 'presence', at: local('2026-03-01 00:00') - 10 * HOUR_MS, state: 'online' }, { kind: 'path', at: local('2026-03-01 00:00') - 10 * HOUR_MS, path: 'dsl', source: 'status' }];
  let at = local('2026-03-01 00:00') - 8 * HOUR_MS;
  let silent = 0;
  let wasSilent = false;
  for (const s of stretches) {
    if (s.state === 'silent' && fill.length === 0) {
      if (!wasSilent) records.push({ kind: 'presence', at, state: 'offline', reason: 'connection-lost' });
      wasSilent = true;
    } else {
      if (wasSilent) records.push({ kind: 'presence', at, state: 'online' });
      wasSilent = false;
      const p = s.state === 'silent' ? fill[silent++ % fill.length]! : s.state;
      records.push({ kind: 'path', at, path: p, source: 'status' });
    }
    at += s.minutes * MINUTE_MS;
  }
  if (wasSilent) records.push({ kind: 'presence', at, state: 'online' });
  records.push({ kind: 'path', at, path: 'dsl', source: 'status' });
  return records;
}

t.test('property: "not eligible" and "eligible" hold for every filling-in of the missing data', async (t) => {
  fc.assert(
    fc.property(fc.array(stretch, { minLength: 1, maxLength: 40 }), fc.array(fc.constantFrom<Path>('dsl', 'mobile', 'none'), { minLength: 1, maxLength: 5 }), (stretches, fill) => {
      const judged = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: recordsOf(stretches) }).verdict;
      const filled = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: recordsOf(stretches, fill) }).verdict;
      if (filled === 'undecidable') return false; // complete data always decides
      if (judged === 'not-eligible') return filled === 'not-eligible';
      if (judged === 'eligible') return filled === 'eligible';
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

t.test('property: with complete data, eligible ⇔ a run of "none" longer than 4 h whose 4-hour mark is in March', async (t) => {
  const month = periodById(MARCH);
  fc.assert(
    fc.property(fc.array(stretch.filter((s) => s.state !== 'silent'), { minLength: 1, maxLength: 40 }), (stretches) => {
      // Reference: walk the stretches, merging consecutive "none".
      let at = local('2026-03-01 00:00') - 8 * HOUR_MS;
      let runStart: number | null = null;
      let expected = false;
      const end = month.end;
      for (const s of [...stretches, { minutes: 0, state: 'dsl' as const }]) {
        if (s.state === 'none' && runStart === null) runStart = at;
        if (s.state !== 'none' && runStart !== null) {
          const runEnd = Math.min(at, end);
          if (runEnd - runStart > GUARANTEE_OUTAGE_MS && runStart + GUARANTEE_OUTAGE_MS >= month.start && runStart + GUARANTEE_OUTAGE_MS < end) expected = true;
          runStart = null;
        }
        at += s.minutes * MINUTE_MS;
      }
      const verdict = judgeGuarantee({ period: MARCH, now: END_OF_MARCH, records: recordsOf(stretches) }).verdict;
      return verdict === (expected ? 'eligible' : 'not-eligible');
    }),
    { numRuns: 300 },
  );
  t.pass();
});

t.test('recorded messages become timeline records; a Last Will is dated when it arrived', async (t) => {
  const will = presenceMessage({ state: 'offline', reason: 'connection-lost', at: '2026-03-10T08:00:00.000Z' });
  t.same(presenceRecord(will, Date.parse('2026-03-10T09:30:00.000Z')), { kind: 'presence', at: Date.parse('2026-03-10T09:30:00.000Z'), state: 'offline', reason: 'connection-lost' });
  t.same(presenceRecord(presenceMessage(), Date.parse('2026-03-10T09:00:05.000Z')), { kind: 'presence', at: Date.parse(AT), state: 'online', reason: 'startup' });
  t.same(pathRecordFromStatus(statusMessage()), { kind: 'path', at: Date.parse('2026-03-10T08:58:00.000Z'), path: 'mobile', source: 'status' });
  t.same(pathRecordFromEvent(failoverEvent()), { kind: 'path', at: Date.parse(failoverEvent().at), path: 'mobile', source: 'failover' });
  t.equal(pathRecordFromEvent({ v: 1, id: 'e-2', at: AT, type: 'modem-lost', reason: 'unplugged' }), null);
});
