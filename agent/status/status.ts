// The retained `status` message, built from the parts' current state. Pure. What counts as a
// change worth publishing at once is decided here too: path, DSL and stick state, profile; the
// signal only when it moves by a few dB (RSSI reports come every few seconds and every status
// sent over mobile costs data); usage rides on the periodic refresh and on `usage` messages.
import type { AppliedProfile, DslState, ModemState, Path, Registration, Status, Technology } from '../../shared/contract/messages.js';

export interface StatusParts {
  readonly now: number;
  readonly activePath: Path;
  readonly pathSince: number;
  readonly dsl: { readonly state: DslState; readonly since: number; readonly downKbps: number | null; readonly upKbps: number | null };
  readonly modem: {
    readonly state: ModemState;
    readonly registration: Registration | null;
    readonly technology: Technology | null;
    readonly signalDbm: number | null;
    readonly operator: string | null;
  };
  readonly profile: AppliedProfile;
  readonly usage: { readonly period: string; readonly upBytes: number; readonly downBytes: number };
  readonly agentVersion: string;
  readonly router: { readonly model: string; readonly firmware: string } | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildStatus(parts: StatusParts): Status {
  const signal = parts.modem.signalDbm;
  const operator = parts.modem.operator?.trim().slice(0, 64) || null;
  return {
    v: 1,
    at: iso(parts.now),
    activePath: parts.activePath,
    pathSince: iso(parts.pathSince),
    dsl: {
      state: parts.dsl.state,
      since: iso(parts.dsl.since),
      downKbps: clampRate(parts.dsl.downKbps),
      upKbps: clampRate(parts.dsl.upKbps),
    },
    modem: {
      state: parts.modem.state,
      registration: parts.modem.registration,
      technology: parts.modem.technology,
      signalDbm: signal === null || !Number.isFinite(signal) ? null : Math.round(Math.min(-30, Math.max(-120, signal))),
      operator,
    },
    profile: parts.profile,
    usage: { period: parts.usage.period, upBytes: parts.usage.upBytes, downBytes: parts.usage.downBytes },
    agent: { version: parts.agentVersion },
    router: parts.router,
  };
}

/** Signal steps smaller than this are not news on their own. */
export const SIGNAL_STEP_DB = 6;

/** A fingerprint of what makes a status worth publishing now; equal fingerprints can wait. */
export function statusFingerprint(status: Status): string {
  const signal = status.modem.signalDbm === null ? 'none' : Math.round(status.modem.signalDbm / SIGNAL_STEP_DB);
  return JSON.stringify([
    status.activePath,
    status.dsl.state,
    status.modem.state,
    status.modem.registration,
    status.modem.technology,
    signal,
    status.profile,
    status.usage.period,
    status.router,
  ]);
}

function clampRate(kbps: number | null): number | null {
  if (kbps === null || !Number.isFinite(kbps) || kbps < 0) return null;
  return Math.min(1_000_000, Math.round(kbps));
}
