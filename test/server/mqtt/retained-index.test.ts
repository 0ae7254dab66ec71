// The embedded broker's retained messages indexed by topic (server/mqtt/retained-index.ts): for
// any history of retained publishes and clears, every filter (exact or with wildcards) finds the
// same retained messages as Aedes' stock in-memory persistence; and through the real broker a
// router still gets its retained desired state on SUBSCRIBE, and nothing once it was cleared.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import t from 'tap';
import { connectAsync } from 'mqtt';
import { indexedMemoryPersistence } from '../../../server/mqtt/retained-index.js';
import { testDatabase } from '../../helpers/database.js';
import { connectDevice } from '../helpers/device.js';
import { seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// Aedes' stock in-memory persistence, from the aedes-persistence that Aedes itself loads.
const memory = createRequire(createRequire(import.meta.url).resolve('aedes'))('aedes-persistence') as () => unknown;

interface Persistence {
  setup(broker: unknown): Promise<void>;
  storeRetained(packet: { topic: string; payload: Buffer; retain: boolean; qos: number; cmd: string }): Promise<void>;
  createRetainedStreamCombi(patterns: string[]): AsyncIterable<{ topic: string; payload: Buffer }>;
}

async function found(persistence: Persistence, patterns: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const packet of persistence.createRetainedStreamCombi(patterns)) out.push(`${packet.topic}=${packet.payload.toString()}`);
  return out.sort();
}

const level = fc.constantFrom('sp', 'v1', 'devices', 'fb-1', 'fb-2', 'desired', 'status');
const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((levels) => levels.join('/'));
const filter = fc.oneof(
  topic,
  fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 4 }).map((levels) => levels.join('/')),
  fc.array(level, { maxLength: 3 }).map((levels) => [...levels, '#'].join('/')),
);
const write = fc.record({ topic, payload: fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 4 })) });

t.test('the index finds what the stock persistence finds, for every filter', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(write, { maxLength: 40 }), fc.array(filter, { minLength: 1, maxLength: 3 }), async (writes, filters) => {
      const stock = (memory() as { asyncPersistence: Persistence }).asyncPersistence;
      const indexed = (indexedMemoryPersistence() as { asyncPersistence: Persistence }).asyncPersistence;
      for (const p of [stock, indexed]) {
        await p.setup({});
        for (const w of writes) await p.storeRetained({ topic: w.topic, payload: Buffer.from(w.payload), retain: true, qos: 1, cmd: 'publish' });
      }
      const [want, got] = [await found(stock, filters), await found(indexed, filters)];
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`filters ${JSON.stringify(filters)}: stock found ${JSON.stringify(want)}, the index ${JSON.stringify(got)}`);
    }),
    { numRuns: 300 },
  );
  t.pass('300 random histories and filters: the same retained messages');
});

t.test('through the embedded broker: the retained desired state on SUBSCRIBE, none after a clear', async (t) => {
  const serverPassword = 'retained-index-test-server-password';
  const ts = await startTestServer(t, await testDatabase(t), { config: { mqttPassword: serverPassword } });
  const seeded = await seed(ts);
  const deviceId = seeded.device!.deviceId;
  const topicName = `sp/v1/devices/${deviceId}/desired`;
  await ts.server.desiredPublished();
  const router = await connectDevice(t, seeded.device!);
  t.equal((await router.nextDesired((d) => d.seq === 1)).profile, 'baseline', 'the retained desired state arrives on SUBSCRIBE');
  await router.close();

  // The server principal clears it (nothing in the product does; the broker must still honour it).
  const serverClient = await connectAsync(ts.server.mqttUrl, { clientId: `${ts.config.mqttClientId}.clear`, username: ts.config.mqttUsername, password: serverPassword, protocolVersion: 4 });
  t.teardown(() => serverClient.endAsync(true));
  await serverClient.publishAsync(topicName, Buffer.alloc(0), { qos: 1, retain: true });
  const again = await connectAsync(ts.server.mqttUrl, { clientId: deviceId, username: deviceId, password: seeded.device!.password, protocolVersion: 4 });
  t.teardown(() => again.endAsync(true));
  const received: string[] = [];
  again.on('message', (_topic, payload) => received.push(payload.toString()));
  await again.subscribeAsync(topicName, { qos: 1 });
  // A marker after the SUBACK: a retained message would have been sent before it.
  await serverClient.publishAsync(topicName, Buffer.from('marker'), { qos: 1 });
  await waitFor(async () => received.includes('marker'), 'the marker');
  t.same(received, ['marker'], 'a cleared retained message is not delivered');
});
