// Subscriptions and their customer (one each): rows in, rows out.
import type { Selectable } from 'kysely';
import { preparedFirst } from '../db/prepared.js';
import type { CustomersTable, Db, SubscriptionsTable } from '../db/schema.js';

export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type CustomerRow = Selectable<CustomersTable>;

export async function insertSubscription(db: Db, row: SubscriptionRow): Promise<void> {
  await db.insertInto('subscriptions').values(row).execute();
}

export async function insertCustomer(db: Db, row: CustomerRow): Promise<void> {
  await db.insertInto('customers').values(row).execute();
}

export const getSubscription = preparedFirst((db: Db, id: string) => db.selectFrom('subscriptions').selectAll().where('id', '=', id));

export function subscriptionByReference(db: Db, reference: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('reference', '=', reference).executeTakeFirst();
}

export function listSubscriptions(db: Db, page: { limit: number; after?: string | undefined }): Promise<SubscriptionRow[]> {
  let query = db.selectFrom('subscriptions').selectAll().orderBy('id').limit(page.limit);
  if (page.after) query = query.where('id', '>', page.after);
  return query.execute();
}

export function allSubscriptionIds(db: Db): Promise<string[]> {
  return db
    .selectFrom('subscriptions')
    .select('id')
    .execute()
    .then((rows) => rows.map((r) => r.id));
}

export async function setSubscriptionStatus(
  db: Db,
  id: string,
  change: { status: SubscriptionRow['status']; reason: string | null; at: number | null },
): Promise<void> {
  await db
    .updateTable('subscriptions')
    .set({ status: change.status, suspended_reason: change.reason, suspended_at: change.at })
    .where('id', '=', id)
    .execute();
}

export function customerOfSubscription(db: Db, subscriptionId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('subscription_id', '=', subscriptionId).executeTakeFirst();
}

export function customerByLogin(db: Db, login: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('login', '=', login.trim().toLowerCase()).executeTakeFirst();
}

export function customerById(db: Db, id: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** R18: the subscriptions registered with this phone number (E.164). */
export function subscriptionsByPhone(db: Db, phone: string): Promise<SubscriptionRow[]> {
  return db.selectFrom('subscriptions').selectAll().where('phone', '=', phone).orderBy('id').execute();
}

/** R17: the seats agreed for this subscription; null returns it to the configured default. */
export async function setLicenceSeats(db: Db, id: string, seats: number | null): Promise<void> {
  await db.updateTable('subscriptions').set({ licence_seats: seats }).where('id', '=', id).execute();
}
