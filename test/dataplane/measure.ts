// Measurements on a shaped data plane, shared by test/dataplane/shaping.test.ts (which asserts
// the bounds) and bench/dataplane-shaping.ts (which reports the figures).
import type { DataPlaneController } from '../../agent/dataplane/index.js';
import { kbps, startTool, type DataPlane, type ToolSpec } from '../../firmware-sim/dataplane/index.js';
import { PROFILES, type ProfileName } from '../../shared/service.js';
import { elapse } from './helpers.js';

type BulkSpec = Extract<ToolSpec, { kind: 'tcp-bulk' }>;
export type Direction = 'download' | 'upload';

const now = () => performance.timeOrigin + performance.now();

/** UDP payload of the VoIP-like flow: with 8 bytes of UDP and 20 of IP, 100-byte packets (G.729 with RTP). */
export const VOIP_PAYLOAD = 72;
export const VOIP_INTERVAL_MS = 20;

export interface RateMeasurement {
  readonly profile: ProfileName;
  readonly direction: Direction;
  readonly expectedKbps: number;
  /** From tc's own counters of the shaper. */
  readonly wireKbps: number;
  /** What the receiving application got. */
  readonly goodputKbps: number;
}

/** Starts a bulk TCP transfer in one direction, the customer's PC opening the connection; returns the receiver. */
export async function bulkTransfer(dp: DataPlane, direction: Direction, port = 9000) {
  const connect = { host: dp.addresses.server, port };
  const listen = { port };
  const bulk = (role: 'send' | 'receive', side: 'listen' | 'connect'): BulkSpec =>
    side === 'listen' ? { kind: 'tcp-bulk', direction: role, listen } : { kind: 'tcp-bulk', direction: role, connect };
  const serverSide = await startTool(dp, 'inet', bulk(direction === 'download' ? 'send' : 'receive', 'listen'));
  const clientSide = await startTool(dp, 'lan', bulk(direction === 'download' ? 'receive' : 'send', 'connect'));
  return direction === 'download' ? clientSide : serverSide;
}

/** Saturates one direction and measures wire rate and goodput over `windowMs` after `warmupMs`. */
export async function measureRate(
  dp: DataPlane,
  agent: DataPlaneController,
  profile: ProfileName,
  direction: Direction,
  timing: { readonly warmupMs: number; readonly windowMs: number },
): Promise<RateMeasurement> {
  const receiver = await bulkTransfer(dp, direction);
  const sample = async () => {
    const before = now();
    const counters = (await agent.counters())[direction];
    return { at: (before + now()) / 2, wire: counters?.bytes ?? NaN, got: await receiver.report() };
  };
  await elapse(timing.warmupMs);
  const start = await sample();
  await elapse(timing.windowMs);
  const end = await sample();
  const rates = PROFILES[profile];
  return {
    profile,
    direction,
    expectedKbps: direction === 'download' ? rates.downKbps : rates.upKbps,
    wireKbps: kbps(end.wire - start.wire, end.at - start.at),
    goodputKbps: kbps(end.got.bytes - start.got.bytes, end.got.at - start.got.at),
  };
}

export interface LatencyMeasurement {
  /** Round trips (ms) of the VoIP-like packets sent in the window that came back. */
  readonly rtts: readonly number[];
  /** How many were sent early enough to have come back. */
  readonly dueSent: number;
  /** The download's wire rate meanwhile (kbit/s), from the shaper's counters when it has them. */
  readonly downKbps: number | null;
}

/** A bulk download saturates the downlink; a VoIP-like flow measures round trips meanwhile. */
export async function measureLatencyUnderLoad(
  dp: DataPlane,
  agent: DataPlaneController | null,
  timing: { readonly warmupMs: number; readonly windowMs: number },
): Promise<LatencyMeasurement> {
  await bulkTransfer(dp, 'download');
  await startTool(dp, 'inet', { kind: 'udp-echo', port: 7000 });
  const voip = await startTool(dp, 'lan', { kind: 'udp-probe', host: dp.addresses.server, port: 7000, intervalMs: VOIP_INTERVAL_MS, size: VOIP_PAYLOAD });
  await elapse(timing.warmupMs);
  voip.reset();
  const wire = async () => (agent ? ((await agent.counters()).download?.bytes ?? null) : null);
  const before = { at: now(), bytes: await wire() };
  await elapse(timing.windowMs);
  const after = { at: now(), bytes: await wire() };
  const report = await voip.report();
  // Packets sent in the window (not echoes of earlier ones), at least a second before the
  // report: those could have come back by then.
  const first = report.firstSentAt ?? Infinity;
  const due = report.samples.filter((s) => s[1] >= first && s[1] < report.at - 1000);
  const dueSent = report.firstSentAt === null ? 0 : Math.floor((report.at - 1000 - report.firstSentAt) / VOIP_INTERVAL_MS) + 1;
  return {
    rtts: due.map((s) => s[2] - s[1]),
    dueSent,
    downKbps: before.bytes !== null && after.bytes !== null ? kbps(after.bytes - before.bytes, after.at - before.at) : null,
  };
}
