// R21: the coverage verdict from the stick's registration and signal in the first 30 days.
import t from 'tap';
import { StatusSchema, type ModemState, type Registration } from '../../../shared/contract/messages.js';
import { status as statusMessage } from '../../fixtures/messages.js';
import { CoverageConfigSchema, coverageReportFromStatus, coverageWatchlist, judgeCoverage, type CoverageReport } from '../../../server/rules/coverage.js';
import { local } from './local-time.js';

const DELIVERED = local('2026-01-15 10:00');
const AFTER = local('2026-03-01 12:00');

function reports(count: number, registration: Registration | null, signalDbm: number | null, modemState: ModemState = 'registered', from = '2026-01-16 12:00'): CoverageReport[] {
  return Array.from({ length: count }, (_, i) => ({ at: local(from) + i * 3_600_000, modemState, registration, signalDbm }));
}

t.test('good signal at home: covered, with the evidence', async (t) => {
  const verdict = judgeCoverage(DELIVERED, [...reports(12, 'home', -85), ...reports(3, 'searching', null, 'searching', '2026-01-20 12:00')], AFTER);
  t.equal(verdict.verdict, 'covered');
  t.equal(verdict.final, true);
  t.match(verdict.evidence, { reports: 15, informative: 15, usable: 12, usableShare: 0.8, bestSignalDbm: -85, medianSignalDbm: -85, registrations: { home: 12, searching: 3 } });
});

t.test('weak or no registration most of the time: no usable coverage', async (t) => {
  const weak = judgeCoverage(DELIVERED, [...reports(10, 'home', -109), ...reports(2, 'home', -101, 'registered', '2026-01-25 12:00')], AFTER);
  t.equal(weak.verdict, 'no-usable-coverage', '−109 dBm is below −105');
  t.equal(weak.evidence.medianSignalDbm, -109);
  const denied = judgeCoverage(DELIVERED, reports(20, 'denied', -80), AFTER);
  t.equal(denied.verdict, 'no-usable-coverage', 'a strong signal but registration denied');
  const roaming = judgeCoverage(DELIVERED, reports(20, 'roaming', -100), AFTER);
  t.equal(roaming.verdict, 'covered', 'roaming counts by default');
  t.equal(judgeCoverage(DELIVERED, reports(10, 'home', -105), AFTER).verdict, 'covered', 'exactly −105 dBm is usable');
});

t.test('unknown with too few reports, or when the stick was absent or locked', async (t) => {
  t.equal(judgeCoverage(DELIVERED, reports(9, 'home', -70), AFTER).verdict, 'unknown');
  const absent = judgeCoverage(DELIVERED, [...reports(50, null, null, 'absent'), ...reports(50, null, null, 'sim-locked')], AFTER);
  t.same([absent.verdict, absent.evidence.reports, absent.evidence.informative], ['unknown', 100, 0]);
  t.equal(absent.evidence.usableShare, null);
});

t.test('only the first 30 days count: delivery day is day 0, day 30 is the last', async (t) => {
  const late = reports(20, 'home', -120, 'registered', '2026-02-15 00:00'); // day 31 onwards
  t.equal(judgeCoverage(DELIVERED, late, AFTER).evidence.reports, 0);
  const lastDay = reports(10, 'home', -80, 'registered', '2026-02-14 12:00'); // day 30, 12:00 to 21:00
  t.equal(judgeCoverage(DELIVERED, lastDay, AFTER).verdict, 'covered');
  t.equal(judgeCoverage(DELIVERED, reports(10, 'home', -80, 'registered', '2026-01-14 12:00'), AFTER).evidence.reports, 0, 'before delivery: ignored');
});

t.test('during the 30 days the verdict is provisional and uses reports up to now', async (t) => {
  const all = reports(20, 'home', -80);
  const early = judgeCoverage(DELIVERED, all, local('2026-01-16 16:30'));
  t.same([early.verdict, early.final, early.evidence.reports], ['unknown', false, 5]);
  t.same([judgeCoverage(DELIVERED, all, local('2026-01-17 12:00')).verdict], ['covered']);
});

t.test('thresholds are configuration', async (t) => {
  const strict = CoverageConfigSchema.parse({ minSignalDbm: -95, usableRegistrations: ['home'], minUsableShare: 0.9, minReports: 5 });
  t.equal(judgeCoverage(DELIVERED, reports(10, 'roaming', -80), AFTER, strict).verdict, 'no-usable-coverage');
  t.equal(judgeCoverage(DELIVERED, reports(10, 'home', -100), AFTER, strict).verdict, 'no-usable-coverage');
  t.equal(judgeCoverage(DELIVERED, reports(5, 'home', -90), AFTER, strict).verdict, 'covered');
  t.notOk(CoverageConfigSchema.safeParse({ minUsableShare: 2 }).success);
});

t.test('the NOC list: no usable coverage, and unknown once the 30 days are over', async (t) => {
  const items = [
    { subscriptionId: 'a', coverage: judgeCoverage(DELIVERED, reports(12, 'home', -80), AFTER) },
    { subscriptionId: 'b', coverage: judgeCoverage(DELIVERED, reports(12, 'home', -115), AFTER) },
    { subscriptionId: 'c', coverage: judgeCoverage(DELIVERED, [], AFTER) },
    { subscriptionId: 'd', coverage: judgeCoverage(DELIVERED, [], local('2026-01-20 12:00')) },
  ];
  t.same(coverageWatchlist(items).map((i) => i.subscriptionId), ['b', 'c']);
});

t.test('a recorded status message becomes a report', async (t) => {
  const status = statusMessage({
    at: '2026-01-16T11:00:00.000Z',
    modem: { state: 'connected', registration: 'home', technology: 'hsdpa', signalDbm: -77, operator: 'KPN' },
  });
  t.ok(StatusSchema.safeParse(status).success, 'a valid status message');
  t.same(coverageReportFromStatus(status), { at: Date.parse('2026-01-16T11:00:00.000Z'), modemState: 'connected', registration: 'home', signalDbm: -77 });
});
