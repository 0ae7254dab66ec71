// Issue 10, the fallback for MQTT 3.1.1 brokers (Aedes has no shared subscriptions): two server
// instances on one broker and one database, each subscribed to every device's topics, so each
// receives every message. Storage is idempotent (events by device and event id, usage by seq), so
// the work is done twice and the effect once.
import t from 'tap';
import type { IngestCounts } from '../../server/mqtt/ingest-stats.js';
import { failoverEvent, usage } from '../fixtures/messages.js';
import { startTestBroker } from '../helpers/broker.js';
import { testDatabase } from '../helpers/database.js';
import { connectDevice } from '../server/helpers/device.js';
import { seed } from '../server/helpers/fixtures.js';
import { startTestServer } from '../server/helpers/server.js';
import { waitFor } from '../server/helpers/wait.js';

const EVENTS = 20;
const USAGE = 5;

t.test('two instances with plain subscriptions store each message once', async (t) => {
  const broker = await startTestBroker();
  t.teardown(() => broker.close());
  const database = await testDatabase(t);
  const config = { mqttUrl: broker.url };
  const first = await startTestServer(t, database, { config });
  const second = await startTestServer(t, database, { config });
  t.equal(first.config.mqttSharedGroup, undefined, 'no shared group: plain subscriptions');

  const seeded = await seed(first);
  second.track(seeded.device!.deviceId);
  const device = await connectDevice(t, { ...seeded.device!, mqttUrl: broker.url });
  for (let i = 1; i <= EVENTS; i++) await device.publish('events', failoverEvent({ id: `evt-${i}` }));
  for (let seq = 1; seq <= USAGE; seq++) await device.publish('usage', usage({ seq, upBytes: seq * 10, downBytes: seq * 100 }));

  const handled = (counts: IngestCounts, kind: string) => (counts.stored[kind] ?? 0);
  const both = () => [first.server.ingest.stats.snapshot(), second.server.ingest.stats.snapshot()];
  // Every instance received every message: each event was stored by one and found a duplicate by the other.
  const total = (c: IngestCounts) => Object.values(c.stored).reduce((x, y) => x + y, 0) + c.ignored.duplicate + c.ignored.stale;
  await waitFor(() => both().every((c) => total(c) >= EVENTS + USAGE), 'both instances handled every message');
  const [a, b] = both();
  t.ok(a!.received >= EVENTS + USAGE && b!.received >= EVENTS + USAGE, 'each instance received every message');
  t.equal(handled(a!, 'events') + handled(b!, 'events'), EVENTS, `each event stored by one instance (${handled(a!, 'events')} + ${handled(b!, 'events')})`);
  const events = await first.server.services.store.db.selectFrom('events').select('event_id').where('device_id', '=', device.deviceId).execute();
  t.equal(events.length, EVENTS, 'and stored once');
  const row = await first.server.services.store.db.selectFrom('usage').selectAll().where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
  t.match(row, { seq: USAGE, up_bytes: USAGE * 10, down_bytes: USAGE * 100 }, 'usage ends at the last report');
  t.ok(handled(a!, 'usage') + handled(b!, 'usage') <= USAGE, 'no usage report was counted twice');
});
