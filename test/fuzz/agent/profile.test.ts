// The agent's profile service (the pure core, on a fake modem and a TestClock) under random
// desired states: valid and broken payloads, seqs in any order, replays, time passing, restarts,
// the fair-use cap and a stick that refuses. It never applies a seq at or below one it applied,
// never asks the stick for rates out of the profile's bounds, never holds a boost past its end
// (R5), answers only with acks the contract accepts, and does take every new valid state.
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { decodeMessage, encodeMessage, validateMessage, type Desired } from '../../../shared/contract/index.js';
import { silentLogger } from '../../../shared/log.js';
import { PROFILES, type Rates } from '../../../shared/service.js';
import { ProfileService, type AckReport } from '../../../agent/profile/profile-service.js';
import { FakeModem } from '../../agent/helpers/fake-modem.js';
import { tempDir } from '../../agent/helpers/temp.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { lineMutation, mutateLine } from '../helpers/mutate.js';

const HOUR = 3_600_000;

type Step =
  | { readonly type: 'desired'; readonly seqDelta: number; readonly profile: 'baseline' | 'boost'; readonly downShare: number; readonly upShare: number; readonly issuedAgoMs: number; readonly lengthMs: number; readonly suspended: boolean; readonly broken: readonly Parameters<typeof mutateLine>[1][number][] }
  | { readonly type: 'replay'; readonly pick: number }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'restart' }
  | { readonly type: 'stick'; readonly refuses: boolean }
  | { readonly type: 'cap'; readonly reached: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('desired' as const),
      seqDelta: fc.integer({ min: -3, max: 3 }),
      profile: fc.constantFrom('baseline' as const, 'boost' as const),
      downShare: fc.double({ min: 0, max: 1.2, noNaN: true }),
      upShare: fc.double({ min: 0, max: 1.2, noNaN: true }),
      issuedAgoMs: fc.integer({ min: 0, max: 30 * HOUR }),
      lengthMs: fc.integer({ min: 1, max: 48 * HOUR }),
      suspended: fc.boolean(),
      broken: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(lineMutation, { minLength: 1, maxLength: 2 }) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('replay' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 30 * HOUR }) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'restart' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('stick' as const), refuses: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('cap' as const), reached: fc.boolean() }) },
);

const within = (rates: Rates, bound: Rates) => rates.downKbps <= bound.downKbps && rates.upKbps <= bound.upKbps;

t.test('random desired states never make the agent apply a lower seq or an out-of-bounds profile', async (t) => {
  await fuzz(
    t,
    'desired states in any order',
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const dir = await tempDir(t, 'sp-fuzz-profile-');
      const file = join(dir, 'profile.json');
      const clock = new TestClock('2026-03-10T09:00:00.000Z');
      const modem = new FakeModem();
      modem.clock = clock;
      modem.setState('connected');
      let refuses = false;
      modem.negotiate = (rates) => {
        if (refuses) throw new Error('the stick refuses');
        return rates;
      };
      const acks: AckReport[] = [];
      const open = async () => {
        const service = await ProfileService.open({
          modem,
          clock,
          log: silentLogger(),
          file,
          holdBaselineAtCap: true,
          sendAck: async (ack) => void acks.push(ack),
          sendEvent: async () => {},
          onChange: () => {},
        });
        service.start();
        await clock.advanceAsync(0);
        return service;
      };
      let service = await open();
      let capReached = false;
      let highestSeen = 0; // the highest seq in any payload so far, taken or not
      let lastApplied = 0;
      let appliedSeq = 0;
      const sent: Array<string | Buffer> = [];
      /** Rates the stick may be asked for: the baseline, and those of valid desired states. */
      const allowed: Rates[] = [PROFILES.baseline];

      try {
        for (const s of steps) {
          const acksBefore = acks.length;
          let fresh: Desired | null = null;
          if (s.type === 'desired') {
            const seq = Math.max(1, lastApplied + s.seqDelta);
            const bound = PROFILES[s.profile];
            const issued = clock.now() - s.issuedAgoMs;
            const message = {
              v: 1,
              seq,
              issuedAt: new Date(issued).toISOString(),
              profile: s.profile,
              downKbps: Math.max(1, Math.round(bound.downKbps * s.downShare)),
              upKbps: Math.max(1, Math.round(bound.upKbps * s.upShare)),
              until: s.profile === 'boost' ? new Date(issued + s.lengthMs).toISOString() : null,
              boostId: `boost-${seq}`,
              suspended: s.suspended,
            };
            const payload = s.broken.length > 0 ? Buffer.from(mutateLine(JSON.stringify(message), s.broken), 'latin1') : JSON.stringify(message);
            const decoded = decodeMessage('desired', payload);
            if (decoded.ok) {
              allowed.push({ downKbps: decoded.value.downKbps, upKbps: decoded.value.upKbps });
              const new_ = decoded.value.seq > highestSeen;
              const live = decoded.value.until === null || Date.parse(decoded.value.until) > clock.now();
              const capHolds = capReached && decoded.value.profile === 'boost' && !decoded.value.suspended;
              if (new_ && live && !capHolds && !(refuses && !decoded.value.suspended)) fresh = decoded.value;
              highestSeen = Math.max(highestSeen, decoded.value.seq);
            } else {
              const raw = /"seq":(\d+)/.exec(Buffer.from(payload).toString('latin1'));
              if (raw) highestSeen = Math.max(highestSeen, Number(raw[1]));
            }
            sent.push(payload);
            await service.handleDesired(payload);
          } else if (s.type === 'replay' && sent.length > 0) {
            await service.handleDesired(sent[s.pick % sent.length]!);
          } else if (s.type === 'advance') {
            await clock.advanceAsync(s.ms);
          } else if (s.type === 'restart') {
            await service.stop();
            service = await open();
            if (capReached) await service.setCapReached(true);
          } else if (s.type === 'stick') {
            refuses = s.refuses;
          } else if (s.type === 'cap') {
            capReached = s.reached;
            await service.setCapReached(s.reached);
          }

          for (const ack of acks.slice(acksBefore)) {
            const valid = validateMessage('acks', { v: 1, ...ack });
            expect(valid.ok, () => `an ack the contract refuses: ${JSON.stringify(ack)} (${valid.ok ? '' : valid.error})`);
            if (ack.outcome !== 'applied') continue;
            expect(ack.seq > lastApplied, () => `applied seq ${ack.seq} after seq ${lastApplied}`);
            lastApplied = ack.seq;
          }
          if (fresh) {
            const applied = acks.slice(acksBefore).find((a) => a.outcome === 'applied');
            expect(applied?.seq === fresh.seq, () => `a new valid desired state (seq ${fresh!.seq}) was not applied: ${JSON.stringify(acks.slice(acksBefore))}`);
          }
          const now = service.applied();
          expect(now.seq >= appliedSeq, () => `the profile in force went back from seq ${appliedSeq} to ${now.seq}`);
          appliedSeq = now.seq;
          expect(within(service.rates(), PROFILES[now.name]), () => `${now.name} in force at ${JSON.stringify(service.rates())}`);
          expect(now.name !== 'boost' || (now.until !== null && Date.parse(now.until) > clock.now()), () => `a boost in force past its end (R5): ${JSON.stringify(now)}`);
          expect(!(capReached && now.name === 'boost'), 'a boost in force at the fair-use cap (R9)');
        }
        for (const rates of modem.callsOf('requestRates') as Rates[]) {
          expect(within(rates, PROFILES.boost) && allowed.some((a) => a.downKbps === rates.downKbps && a.upKbps === rates.upKbps), () => `the stick was asked for ${JSON.stringify(rates)}`);
        }
      } finally {
        await service.stop();
      }
    }),
    100,
  );
});

t.test('a replayed desired state with an old or equal seq is ignored, also after a restart', async (t) => {
  const dir = await tempDir(t, 'sp-fuzz-profile-');
  const clock = new TestClock('2026-03-10T09:00:00.000Z');
  const modem = new FakeModem();
  modem.clock = clock;
  const acks: AckReport[] = [];
  const open = async () => {
    const service = await ProfileService.open({ modem, clock, log: silentLogger(), file: join(dir, 'profile.json'), holdBaselineAtCap: true, sendAck: async (a) => void acks.push(a), sendEvent: async () => {}, onChange: () => {} });
    service.start();
    await clock.advanceAsync(0);
    return service;
  };
  const boost = (seq: number) =>
    encodeMessage('desired', { v: 1, seq, issuedAt: new Date(clock.now()).toISOString(), profile: 'boost', downKbps: 3600, upKbps: 1400, until: new Date(clock.now() + 24 * HOUR).toISOString(), boostId: `b-${seq}`, suspended: false });
  const baseline = (seq: number) => encodeMessage('desired', { v: 1, seq, issuedAt: new Date(clock.now()).toISOString(), profile: 'baseline', downKbps: 128, upKbps: 64, until: null, boostId: null, suspended: false });
  let service = await open();
  const old = boost(5);
  await service.handleDesired(old);
  await service.handleDesired(baseline(6));
  t.match(service.applied(), { name: 'baseline', seq: 6 });
  const requests = modem.callsOf('requestRates').length;
  await service.handleDesired(old);
  await service.handleDesired(baseline(6));
  t.match(service.applied(), { name: 'baseline', seq: 6 }, 'the replayed boost (seq 5) and the repeated seq 6 change nothing');
  await service.stop();
  service = await open();
  await service.handleDesired(old);
  t.match(service.applied(), { name: 'baseline', seq: 6 }, 'nor after a restart');
  t.equal(acks.filter((a) => a.outcome === 'applied').length, 2, 'applied twice: seq 5, then seq 6');
  t.notOk(modem.callsOf('requestRates').slice(requests).some((r) => (r as Rates).downKbps > 128), 'the stick never got the old boost again');
  await service.stop();
});
