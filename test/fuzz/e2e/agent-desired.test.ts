// End to end: random desired states (valid and broken, seqs in any order, replays) published
// retained on a real broker to the real agent, which drives the simulated stick over a real pty.
// It applies only seqs above the last it applied, never asks the stick for more than the boost
// (R4, on the rate grid), answers with acks the contract accepts, and takes the newest state.
import fc from 'fast-check';
import t from 'tap';
import { snapRates } from '../../../agent/modem/huawei/rate-grid.js';
import { topicFor } from '../../../shared/contract/index.js';
import { PROFILES } from '../../../shared/service.js';
import { startAgentIn, startRig, statusWhere } from '../../agent/helpers/agent-rig.js';
import { startTestBroker } from '../../helpers/broker.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { lineMutation, mutateLine } from '../helpers/mutate.js';

const HOUR = 3_600_000;

const payload = fc.record({
  seqDelta: fc.integer({ min: -3, max: 2 }),
  profile: fc.constantFrom('baseline' as const, 'boost' as const),
  downShare: fc.double({ min: 0.01, max: 1.3, noNaN: true }),
  upShare: fc.double({ min: 0.01, max: 1.3, noNaN: true }),
  ended: fc.boolean(),
  broken: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(lineMutation, { minLength: 1, maxLength: 2 }) }),
  replay: fc.boolean(),
});

t.test('random desired states through a real broker never make the real agent apply a lower seq or more than the boost', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  await startAgentIn(rig);
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL, standby', (s) => s.activePath === 'dsl' && s.modem.state === 'registered');
  rig.sim.router!.setLine('down');
  await statusWhere(rig, 'mobile and connected', (s) => s.activePath === 'mobile' && s.modem.state === 'connected');
  const client = (rig.server as unknown as { client: { publishAsync(topic: string, payload: string, opts: object): Promise<unknown> } }).client;
  const desiredTopic = topicFor('desired', rig.deviceId);

  let highest = 0; // the highest seq published so far
  let lastApplied = 0;
  let seenAcks = 0;
  const sent: string[] = [];
  const boostOnWire = snapRates(PROFILES.boost);

  await fuzz(
    t,
    'random desired states to the real agent',
    fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 8 }), async (steps) => {
      const now = Date.now();
      for (const s of steps) {
        if (s.replay && sent.length > 0) {
          await client.publishAsync(desiredTopic, sent[Math.floor(s.downShare * 1000) % sent.length]!, { qos: 1, retain: true });
          continue;
        }
        const seq = Math.max(1, highest + s.seqDelta);
        const bound = PROFILES[s.profile];
        const issued = s.ended ? now - 2 * HOUR : now;
        const message = {
          v: 1,
          seq,
          issuedAt: new Date(issued).toISOString(),
          profile: s.profile,
          downKbps: Math.max(1, Math.round(bound.downKbps * s.downShare)),
          upKbps: Math.max(1, Math.round(bound.upKbps * s.upShare)),
          until: s.profile === 'boost' ? new Date(issued + HOUR).toISOString() : null,
          boostId: `fz-${seq}`,
          suspended: false,
        };
        const text = s.broken.length > 0 ? mutateLine(JSON.stringify(message), s.broken) : JSON.stringify(message);
        highest = Math.max(highest, seq);
        sent.push(text);
        await client.publishAsync(desiredTopic, text, { qos: 1, retain: true });
      }
      // A marker with the next seq: once it is applied, everything before it was handled.
      const marker = { v: 1, seq: ++highest, issuedAt: new Date(now).toISOString(), profile: 'baseline', downKbps: 128, upKbps: 64, until: null, boostId: null, suspended: false };
      await client.publishAsync(desiredTopic, JSON.stringify(marker), { qos: 1, retain: true });
      await rig.server.waitFor(`the ack of seq ${marker.seq}`, () => rig.server.of('acks').find((a) => a.seq === marker.seq));

      const acks = rig.server.of('acks').slice(seenAcks);
      seenAcks += acks.length;
      for (const ack of acks.filter((a) => a.outcome === 'applied')) {
        expect(ack.seq > lastApplied, () => `applied seq ${ack.seq} after seq ${lastApplied}: ${JSON.stringify(acks)}`);
        lastApplied = ack.seq;
      }
      expect(lastApplied === marker.seq, () => `the newest state (seq ${marker.seq}) was not applied last: ${JSON.stringify(acks)}`);
      expect(rig.server.refused.length === 0, () => `the agent sent what the contract refuses: ${rig.server.refused.join('; ')}`);
      const requests = stick.commands().filter((c) => /^AT\+CGEQREQ=/i.test(c));
      for (const request of requests) {
        const [up, down] = request.split(',').slice(2).map(Number) as [number, number];
        expect(up <= boostOnWire.upKbps && down <= boostOnWire.downKbps, `the stick was asked for ${request}`);
      }
      expect(stick.snapshot().requested[1]?.downKbps === 128, () => `the stick holds ${JSON.stringify(stick.snapshot().requested[1])} after the baseline`);
    }),
    6,
  );
  await statusWhere(rig, 'the status shows the newest seq', (s) => s.profile.seq === lastApplied && s.profile.name === 'baseline');
});
