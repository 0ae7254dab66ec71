// R3/R4 on real packets: the mobile uplink shaped by the agent to the baseline (128/64 kbit/s)
// and the boost (3600/1400 kbit/s) profile.
// - Rates: a bulk TCP transfer saturates each direction for a 20 s window (after a warm-up);
//   the wire rate, from tc's own counters, must be within 3 % of the profile, and the goodput
//   (bytes the receiving application got) at least 90 % of the wire rate.
// - Latency under load (R11's "VoIP keeps working"): with the 128 kbit/s downlink saturated by
//   a bulk download, VoIP-like packets (100 bytes every 20 ms) make the round trip in under
//   300 ms at the 95th percentile; a single FIFO holds them behind seconds of bulk data (see
//   bench/dataplane-shaping.ts).
// The five measurements run at once, each in its own data plane, so the file takes one window.
import t from 'tap';
import { PROFILES, type ProfileName } from '../../shared/service.js';
import { deviation, percentile } from '../../firmware-sim/dataplane/index.js';
import { rig, skipUnlessSupported } from './helpers.js';
import { measureLatencyUnderLoad, measureRate, type Direction } from './measure.js';

const skip = await skipUnlessSupported();
const RATE_TIMING = { warmupMs: 3_000, windowMs: 20_000 };
const LATENCY_TIMING = { warmupMs: 3_000, windowMs: 10_000 };
const TOLERANCE = 0.03;
const MIN_GOODPUT_SHARE = 0.9;

/** A data plane failed over to mobile and shaped to this profile; removed when the file ends. */
async function shaped(profile: ProfileName) {
  const setup = await rig(t, { dslUp: false, mobileUp: true });
  await setup.agent.applyPath('mobile');
  await setup.agent.applyShaping(PROFILES[profile]);
  return setup;
}

async function rate(profile: ProfileName, direction: Direction) {
  const { dp, agent } = await shaped(profile);
  return measureRate(dp, agent, profile, direction, RATE_TIMING);
}

async function latency() {
  const { dp, agent } = await shaped('baseline');
  return measureLatencyUnderLoad(dp, agent, LATENCY_TIMING);
}

// Started together; each subtest awaits its own.
const rates = skip ? null : Promise.all([rate('baseline', 'download'), rate('baseline', 'upload'), rate('boost', 'download'), rate('boost', 'upload')]);
const voip = skip ? null : latency();
rates?.catch(() => {});
voip?.catch(() => {});

t.test('the mobile uplink carries the profile rate, down and up, with little overhead', { skip }, async (t) => {
  for (const m of await rates!) {
    const name = `${m.profile} ${m.direction}`;
    t.comment(
      `${name}: wire ${m.wireKbps.toFixed(1)} kbit/s for ${m.expectedKbps} (${((m.wireKbps / m.expectedKbps - 1) * 100).toFixed(2)} %), ` +
        `goodput ${m.goodputKbps.toFixed(1)} kbit/s (${((m.goodputKbps / m.wireKbps) * 100).toFixed(1)} % of wire)`,
    );
    t.ok(deviation(m.wireKbps, m.expectedKbps) <= TOLERANCE, `${name}: wire rate within 3 % of ${m.expectedKbps} kbit/s`);
    t.ok(m.goodputKbps >= MIN_GOODPUT_SHARE * m.wireKbps, `${name}: goodput at least 90 % of the wire rate`);
  }
});

t.test('interactive packets cross a saturated 128 kbit/s link in under 300 ms (p95)', { skip }, async (t) => {
  const { rtts, dueSent, downKbps } = await voip!;
  const p95 = percentile(rtts, 95);
  t.ok(downKbps !== null && downKbps >= 0.95 * PROFILES.baseline.downKbps, `the downlink is saturated (${downKbps?.toFixed(1)} kbit/s on the wire)`);
  t.ok(rtts.length >= 0.9 * dueSent, `almost every VoIP packet came back (${rtts.length} of ${dueSent})`);
  t.ok(p95 !== null && p95 < 300, 'VoIP round trip p95 under 300 ms');
  t.comment(
    `VoIP round trip under a saturating download at 128/64 kbit/s: p50 ${percentile(rtts, 50)?.toFixed(1)} ms, ` +
      `p95 ${p95?.toFixed(1)} ms, p99 ${percentile(rtts, 99)?.toFixed(1)} ms, max ${Math.max(...rtts).toFixed(1)} ms (${rtts.length} packets)`,
  );
});
