// Realistic wire messages for simulated devices (what a real agent sends on DSL with the stick
// on warm standby), checked by the shared schemas like every real message.
import type { AgentEvent, Status, Usage } from '../../shared/contract/index.js';
import { periodOf } from '../../shared/period.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function sampleStatus(at: number, overrides: Partial<Status> = {}): Status {
  const since = iso(at - 3_600_000);
  return {
    v: 1,
    at: iso(at),
    activePath: 'dsl',
    pathSince: since,
    dsl: { state: 'up', since, downKbps: 50_000, upKbps: 10_000 },
    modem: { state: 'registered', registration: 'home', technology: 'hspa', signalDbm: -73, operator: 'KPN NL' },
    profile: { name: 'baseline', seq: 1, downKbps: 128, upKbps: 64, until: null, boostId: null, suspended: false },
    usage: { period: periodOf(at).id, upBytes: 1_234_567, downBytes: 7_654_321 },
    agent: { version: '0.1.0' },
    router: { model: 'FRITZ!Box 7490', firmware: '113.07.29' },
    ...overrides,
  };
}

export function sampleUsage(at: number, seq: number): Usage {
  return { v: 1, at: iso(at), period: periodOf(at).id, seq, upBytes: 1_000 * seq, downBytes: 9_000 * seq };
}

export function sampleEvent(at: number, id: string): AgentEvent {
  return {
    v: 1,
    id,
    at: iso(at),
    type: 'failover',
    from: 'dsl',
    to: 'mobile',
    reason: 'DSL down for 600 ms',
    evidence: ['PhysicalLinkStatus Down', 'WANPPPConnection Disconnected'],
  };
}
