// R22, R23: suspend and restore, with reason, actor and time; what a suspension switches off.
import t from 'tap';
import type { Actor } from '../../../server/rules/actor.js';
import { entitlementsOf, EntitlementsConfigSchema } from '../../../server/rules/entitlements.js';
import { ACTIVE, applySuspensionEvent, mayRestore, maySuspend, SuspendBodySchema, suspensionEffects } from '../../../server/rules/suspension.js';
import { local } from './local-time.js';

const helpdesk: Actor = { role: 'helpdesk', id: 'op-anna' };
const noc: Actor = { role: 'noc', id: 'op-noc' };

t.test('R22: suspended at once on a reported theft: mobile data off, boosts end; restored later', async (t) => {
  const suspended = applySuspensionEvent('sub-1', ACTIVE, { type: 'suspend', at: local('2026-02-03 09:15'), by: helpdesk, reason: 'equipment-stolen', note: 'burglary, police report 123' });
  t.same(suspended.state, { status: 'suspended', reason: 'equipment-stolen', note: 'burglary, police report 123', since: local('2026-02-03 09:15'), by: helpdesk });
  t.same(suspended.actions, [
    { type: 'set-desired-suspended', subscriptionId: 'sub-1', suspended: true },
    { type: 'cancel-active-boosts', subscriptionId: 'sub-1' },
  ]);
  t.same(suspended.audit, { subscriptionId: 'sub-1', at: local('2026-02-03 09:15'), by: helpdesk, action: 'suspended', reason: 'equipment-stolen', note: 'burglary, police report 123' });
  t.same(suspensionEffects(suspended.state), { mobileData: false, boostsAllowed: false, desiredSuspended: true });

  const restored = applySuspensionEvent('sub-1', suspended.state, { type: 'restore', at: local('2026-02-05 11:00'), by: helpdesk, note: 'new kit installed' });
  t.same(restored.state, ACTIVE);
  t.same(restored.actions, [{ type: 'set-desired-suspended', subscriptionId: 'sub-1', suspended: false }]);
  t.same([restored.audit.action, restored.audit.reason, restored.audit.by.id], ['restored', 'equipment-stolen', 'op-anna'], 'the audit says what was lifted');
  t.same(suspensionEffects(restored.state), { mobileData: true, boostsAllowed: true, desiredSuspended: false });
});

t.test('refusals: suspend twice, restore what is not suspended, restore before the suspension', async (t) => {
  const suspended = applySuspensionEvent('sub-1', ACTIVE, { type: 'suspend', at: local('2026-02-03 09:15'), by: noc, reason: 'misuse' }).state;
  t.throws(() => applySuspensionEvent('sub-1', suspended, { type: 'suspend', at: local('2026-02-03 10:00'), by: noc, reason: 'equipment-lost' }), { code: 'already-suspended' });
  t.throws(() => applySuspensionEvent('sub-1', ACTIVE, { type: 'restore', at: local('2026-02-03 10:00'), by: noc }), { code: 'not-suspended' });
  t.throws(() => applySuspensionEvent('sub-1', suspended, { type: 'restore', at: local('2026-02-03 09:00'), by: noc }), { code: 'out-of-order' });
  t.notOk(SuspendBodySchema.safeParse({ reason: 'bored' }).success);
  t.ok(SuspendBodySchema.safeParse({ reason: 'credentials-compromised' }).success);
});

t.test('roles: any operator suspends; misuse is lifted by NOC or admin only', async (t) => {
  t.ok(maySuspend('helpdesk'));
  t.notOk(maySuspend('customer'));
  t.notOk(maySuspend('technician'));
  const misuse = applySuspensionEvent('sub-1', ACTIVE, { type: 'suspend', at: local('2026-02-03 09:15'), by: noc, reason: 'misuse' }).state;
  const lost = applySuspensionEvent('sub-1', ACTIVE, { type: 'suspend', at: local('2026-02-03 09:15'), by: helpdesk, reason: 'equipment-lost' }).state;
  t.notOk(mayRestore('helpdesk', misuse));
  t.ok(mayRestore('noc', misuse));
  t.ok(mayRestore('helpdesk', lost));
  t.notOk(mayRestore('noc', ACTIVE), 'nothing to restore');
});

t.test('R17, R22: entitlements by contract phase and suspension', async (t) => {
  const suspended = applySuspensionEvent('sub-1', ACTIVE, { type: 'suspend', at: local('2026-02-03 09:15'), by: helpdesk, reason: 'equipment-lost' }).state;
  t.same(entitlementsOf({ phase: 'minimum-term', suspension: ACTIVE }), {
    licenceSeats: 10,
    businessHelpdesk: true,
    modemSwap: true,
    onlineGuarantee: true,
    mobileData: true,
    boosts: true,
  });
  t.same(entitlementsOf({ phase: 'continued', suspension: suspended }), {
    licenceSeats: 10,
    businessHelpdesk: true,
    modemSwap: true,
    onlineGuarantee: false,
    mobileData: false,
    boosts: false,
  });
  t.same(entitlementsOf({ phase: 'ordered', suspension: ACTIVE }), {
    licenceSeats: 0,
    businessHelpdesk: true,
    modemSwap: false,
    onlineGuarantee: false,
    mobileData: false,
    boosts: false,
  });
  t.equal(entitlementsOf({ phase: 'ended', suspension: ACTIVE }).businessHelpdesk, false);
  t.equal(entitlementsOf({ phase: 'ending', suspension: ACTIVE }).mobileData, true, 'service runs until the effective date');
  t.equal(entitlementsOf({ phase: 'continued', suspension: ACTIVE, licenceSeatsOverride: 6 }).licenceSeats, 6, 'per subscription');
  t.equal(entitlementsOf({ phase: 'continued', suspension: ACTIVE }, EntitlementsConfigSchema.parse({ licenceSeats: 6 })).licenceSeats, 6, 'the 2011 figure, by config');
});
