// The live timeline's sentences, from two views of the server (pure).
import t from 'tap';
import { narrate } from '../../demo/narrate.js';
import { EMPTY_VIEW, type DemoView } from '../../demo/observer.js';
import type { BoostView, DeviceView } from '../../server/services/views.js';

const AT = '2026-03-10T09:00:00.000Z';

function device(overrides: Partial<DeviceView> = {}): DeviceView {
  return {
    deviceId: 'demo-fritzbox',
    subscriptionId: 'sub_1',
    model: '7490',
    modelName: 'FRITZ!Box 7490',
    serialNumber: null,
    enrolledAt: AT,
    revoked: false,
    presence: { state: 'online', at: AT, reason: 'startup' },
    lastSeenAt: AT,
    path: 'dsl',
    pathSince: AT,
    dsl: null,
    signal: { modemState: 'registered', registration: 'home', technology: 'hspa', dbm: -73, operator: 'KPN' },
    profile: { desired: null, applied: null },
    usage: null,
    router: null,
    agentVersion: null,
    statusAt: AT,
    unavailableOnMobile: [],
    ...overrides,
  };
}

function boost(overrides: Partial<BoostView> = {}): BoostView {
  return {
    id: 'bst_1',
    subscriptionId: 'sub_1',
    kind: 'self-service',
    status: 'requested',
    inForce: true,
    period: '2026-03',
    counted: true,
    grantedAt: AT,
    endsAt: '2026-03-10T09:00:15.000Z',
    appliedAt: null,
    endedAt: null,
    endReason: null,
    requestedBy: 'customer:cus_1',
    reason: null,
    confirmationTo: 'demo@example.com',
    ...overrides,
  };
}

const view = (overrides: Partial<DemoView>): DemoView => ({ ...EMPTY_VIEW, at: 1, ...overrides });

t.test('the router comes online on DSL with its stick registered', async (t) => {
  const lines = narrate(EMPTY_VIEW, view({ device: device() }));
  t.same(lines, ['router online, on DSL', 'stick registered (HSPA, -73 dBm)']);
  t.same(narrate(view({ device: device() }), view({ device: device() })), [], 'nothing new, nothing said');
});

t.test('events are told once, in order', async (t) => {
  const failover = { id: 'e1', type: 'failover', at: AT, details: { from: 'dsl', to: 'mobile', reason: 'DSL link down' } };
  const applied = { id: 'e2', type: 'profile-applied', at: AT, details: { profile: 'boost', downKbps: 3584, upKbps: 1408, until: null } };
  const before = view({ device: device(), events: [failover] });
  const after = view({ device: device(), events: [failover, applied] });
  t.same(narrate(view({ device: device() }), before), ['failover: dsl → mobile (DSL link down)']);
  t.same(narrate(before, after), ['router applied the boost profile: 3584/1408 kbit/s']);
});

t.test('a boost from request to its end', async (t) => {
  const requested = view({ device: device(), boosts: [boost()] });
  t.match(narrate(view({ device: device() }), requested), [/^boost requested \(self-service, counted\), ends \d\d:\d\d:\d\d$/]);
  const applied = view({ device: device(), boosts: [boost({ status: 'applied' })] });
  t.same(narrate(requested, applied), ['boost applied']);
  const ended = view({ device: device(), boosts: [boost({ status: 'ended', endReason: 'expired' })] });
  t.same(narrate(applied, ended), ['boost ended (expired)']);
});

t.test('the stick: its state, its signal, and the router going away', async (t) => {
  const online = view({ device: device() });
  const weak = view({ device: device({ signal: { modemState: 'registered', registration: 'home', technology: 'hspa', dbm: -101, operator: 'KPN' } }) });
  t.same(narrate(online, weak), ['stick signal -101 dBm']);
  const gone = view({ device: device({ signal: { modemState: 'absent', registration: null, technology: null, dbm: null, operator: null } }) });
  t.same(narrate(weak, gone), ['stick absent']);
  const offline = view({ device: device({ presence: { state: 'offline', at: AT, reason: 'connection-lost' } }) });
  t.same(narrate(online, offline), ['router offline (connection-lost)']);
});
