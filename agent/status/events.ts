// The agent's happenings as the contract's `events`, each with a fresh id. Pure but for the id
// source. Texts are cut to the contract's limits rather than refused: evidence is for people.
import type { AgentEvent } from '../../shared/contract/messages.js';
import type { PathChange } from '../failover/machine.js';
import type { FairUseReport } from '../meter/meter-service.js';
import type { ModemEvent } from '../modem/api.js';
import type { ProfileEvent } from '../profile/profile-service.js';
import type { IdSource } from './ids.js';

const iso = (ms: number) => new Date(ms).toISOString();
const text = (value: string, max = 200) => (value.trim() || '(none)').slice(0, max);

export function pathEvent(change: PathChange, ids: IdSource): AgentEvent {
  const base = { v: 1 as const, id: ids(change.type), at: iso(change.at), from: change.from, reason: text(change.reason), evidence: change.evidence.slice(0, 20).map((e) => text(e)) };
  switch (change.type) {
    case 'failover':
      return { ...base, type: 'failover', to: 'mobile' };
    case 'failback':
      return { ...base, type: 'failback', to: 'dsl' };
    case 'outage':
      return { ...base, type: 'outage', to: 'none' };
  }
}

export function profileEvent(event: ProfileEvent, ids: IdSource): AgentEvent {
  const base = { v: 1 as const, id: ids(event.type), at: iso(event.at), seq: event.seq, profile: event.profile, boostId: event.boostId };
  if (event.type === 'profile-expired') return { ...base, type: 'profile-expired' };
  return { ...base, type: 'profile-applied', downKbps: event.downKbps, upKbps: event.upKbps, until: event.until === null ? null : iso(event.until) };
}

/** Fair-use events have a fixed id per period and threshold: a repeat after a crash is a duplicate. */
export function fairUseEvent(report: FairUseReport): AgentEvent {
  return {
    v: 1,
    id: `fair-use-${report.period}-${report.thresholdPercent}`,
    at: iso(report.at),
    type: 'fair-use',
    period: report.period,
    thresholdPercent: report.thresholdPercent,
    usedBytes: report.usedBytes,
    capBytes: report.capBytes,
  };
}

/** The modem's lost / found / reset as events; other modem events are not news for the server. */
export function modemEvent(event: ModemEvent, at: number, ids: IdSource): AgentEvent | null {
  switch (event.type) {
    case 'lost':
      return { v: 1, id: ids('modem-lost'), at: iso(at), type: 'modem-lost', reason: text(event.reason) };
    case 'found': {
      const { manufacturer, model, imei } = event.identity;
      return {
        v: 1,
        id: ids('modem-found'),
        at: iso(at),
        type: 'modem-found',
        manufacturer: manufacturer?.trim() ? text(manufacturer, 64) : null,
        model: model?.trim() ? text(model, 64) : null,
        imei: imei !== null && /^\d{14,16}$/.test(imei) ? imei : null,
      };
    }
    case 'reset':
      return { v: 1, id: ids('modem-reset'), at: iso(at), type: 'modem-reset', step: event.step, reason: text(event.reason) };
    default:
      return null;
  }
}
