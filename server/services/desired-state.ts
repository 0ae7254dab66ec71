// Keeps each device's stored desired state in line with its subscription (suspended, contract
// ended, boost in force). Runs inside the caller's transaction; returns the devices whose state changed, which
// the caller publishes after commit.
import { desiredFor, sameDesired } from '../core/desired.js';
import type { Db } from '../db/schema.js';
import { boostInForce } from '../store/boosts.js';
import { getContract } from '../store/contracts.js';
import { contentOf, bumpDesired, getDesired, insertDesired } from '../store/desired-states.js';
import { activeDevicesOf } from '../store/devices.js';
import { getSubscription } from '../store/subscriptions.js';

export async function recomputeDesired(trx: Db, subscriptionId: string, now: number): Promise<string[]> {
  const subscription = await getSubscription(trx, subscriptionId);
  if (!subscription) return [];
  const boost = await boostInForce(trx, subscriptionId);
  // R20: from the contract's end (the end job sets ended_at) mobile data is off, as when suspended.
  const ended = (await getContract(trx, subscriptionId))?.ended_at != null;
  const content = desiredFor({
    suspended: subscription.status === 'suspended' || ended,
    boost: boost ? { id: boost.id, endsAt: boost.ends_at } : null,
    now,
  });
  const changed: string[] = [];
  for (const device of await activeDevicesOf(trx, subscriptionId)) {
    const current = await getDesired(trx, device.id);
    if (!current) {
      await insertDesired(trx, device.id, content, now);
      changed.push(device.id);
    } else if (!sameDesired(contentOf(current), content)) {
      await bumpDesired(trx, device.id, content, now);
      changed.push(device.id);
    }
  }
  return changed;
}
