// The agent's confirmed view of DSL, from raw poll observations and connectivity-probe rounds.
// Pure. A loss counts only once it has lasted the confirmation window (a blip does not); a
// recovery counts at once (failback has its own stability time). A box that stops answering is
// `unreachable`, usable only while the probes still get through.
import type { DslState } from '../../shared/contract/messages.js';
import type { LineKind, LineObservation } from '../dsl/line-reading.js';

export interface DslViewSettings {
  /** A non-up line must last this long before it counts (default 600 ms). */
  readonly confirmDownMs: number;
  /** The box must stay silent this long before it counts as unreachable (default 2 s). */
  readonly confirmUnreachableMs: number;
  /** Failed probe rounds in a row that mean "no internet" (default 3). */
  readonly probeFailRounds: number;
}

interface Suspect {
  /** First non-up reading of this run. */
  readonly since: number;
  /** First unreachable reading of the current unanswered run, if the latest was unreachable. */
  readonly silentSince: number | null;
  /** The latest kind the box itself reported in this run (not `unreachable`). */
  readonly reported: Exclude<LineKind, 'up' | 'unreachable'> | null;
  readonly readings: number;
  readonly evidence: readonly string[];
}

export interface DslView {
  /** null until the first answer of the box. */
  readonly line: LineKind | null;
  readonly lineEvidence: readonly string[];
  readonly suspect: Suspect | null;
  /** Probe rounds since the line last came up (reset when it goes down). */
  readonly probeFailedInRow: number;
  readonly probePassed: number;
  readonly probeEvidence: string | null;
  readonly state: DslState;
  readonly since: number;
  readonly usable: boolean;
  /** When DSL last became usable; null while it is not. */
  readonly usableSince: number | null;
  readonly downKbps: number | null;
  readonly upKbps: number | null;
}

export function initialDslView(now: number): DslView {
  return {
    line: null,
    lineEvidence: [],
    suspect: null,
    probeFailedInRow: 0,
    probePassed: 0,
    probeEvidence: null,
    state: 'unreachable',
    since: now,
    usable: false,
    usableSince: null,
    downKbps: null,
    upKbps: null,
  };
}

/** Whether connectivity probes mean anything now (they run only while the line may carry traffic). */
export function probesWanted(view: DslView): boolean {
  return view.line === 'up' || view.line === 'unreachable';
}

export function observeLine(view: DslView, obs: LineObservation, at: number, s: DslViewSettings): DslView {
  const rates = obs.kind === 'unreachable' ? {} : { downKbps: obs.downKbps ?? view.downKbps, upKbps: obs.upKbps ?? view.upKbps };
  // First answer: adopt it (there is nothing to protect yet); silence must still be confirmed.
  if (view.line === null && obs.kind !== 'unreachable') return derive({ ...view, ...rates, line: obs.kind, lineEvidence: obs.evidence, suspect: null }, at, s);
  if (obs.kind === 'up') return derive({ ...view, ...rates, line: 'up', lineEvidence: obs.evidence, suspect: null }, at, s);
  if (obs.kind === view.line) return derive({ ...view, ...rates, lineEvidence: obs.evidence, suspect: null }, at, s);

  // Between two non-up states the box's own word counts at once (down → training is news, not a blip).
  if (view.line !== null && view.line !== 'up' && view.line !== 'unreachable' && obs.kind !== 'unreachable') {
    return derive({ ...view, ...rates, line: obs.kind, lineEvidence: obs.evidence, suspect: null }, at, s);
  }

  const prev = view.suspect;
  const suspect: Suspect = {
    since: prev?.since ?? at,
    silentSince: obs.kind === 'unreachable' ? (prev?.silentSince ?? at) : null,
    reported: obs.kind === 'unreachable' ? (prev?.reported ?? null) : obs.kind,
    readings: (prev?.readings ?? 0) + 1,
    evidence: obs.evidence,
  };
  let next: DslView = { ...view, ...rates, suspect };
  const lostFor = at - suspect.since;
  if (suspect.reported !== null && view.line !== null && lostFor >= s.confirmDownMs) {
    // The box said "not up" and the line has not been up since, for the whole window.
    const kind = suspect.silentSince !== null && at - suspect.silentSince >= s.confirmUnreachableMs ? 'unreachable' : suspect.reported;
    next = { ...next, line: kind, lineEvidence: [...suspect.evidence, `not up for ${lostFor} ms over ${suspect.readings} polls`], suspect: null };
  } else if (suspect.silentSince !== null && at - suspect.silentSince >= s.confirmUnreachableMs) {
    next = { ...next, line: 'unreachable', lineEvidence: [...suspect.evidence, `no answer for ${at - suspect.silentSince} ms over ${suspect.readings} polls`], suspect: null };
  }
  return derive(next, at, s);
}

export function observeProbe(view: DslView, passed: boolean, evidence: string, at: number, s: DslViewSettings): DslView {
  if (!probesWanted(view)) return view;
  const next = passed
    ? { ...view, probeFailedInRow: 0, probePassed: view.probePassed + 1, probeEvidence: evidence }
    : { ...view, probeFailedInRow: view.probeFailedInRow + 1, probeEvidence: evidence };
  return derive(next, at, s);
}

/** The evidence behind the current state, for events. */
export function dslEvidence(view: DslView): string[] {
  const facts = [...view.lineEvidence];
  if (view.probeEvidence !== null && (view.state === 'no-internet' || view.line === 'unreachable' || view.probeFailedInRow > 0)) {
    facts.push(`probe: ${view.probeEvidence}${view.probeFailedInRow > 0 ? `, ${view.probeFailedInRow} failed rounds in a row` : ''}`);
  }
  return facts.map((f) => f.slice(0, 200)).slice(0, 20);
}

function derive(view: DslView, at: number, s: DslViewSettings): DslView {
  const probing = view.line === 'up' || view.line === 'unreachable';
  // Probe history belongs to one spell of the line being (possibly) up.
  const base = probing ? view : { ...view, probeFailedInRow: 0, probePassed: 0, probeEvidence: null };
  const probeDead = base.probeFailedInRow >= s.probeFailRounds;
  let state: DslState;
  let usable: boolean;
  switch (base.line) {
    case null:
      state = 'unreachable';
      usable = false;
      break;
    case 'up':
      state = probeDead ? 'no-internet' : 'up';
      usable = !probeDead;
      break;
    case 'unreachable':
      state = 'unreachable';
      // The box is silent: trust the line only while probes get through.
      usable = base.probePassed > 0 && !probeDead;
      break;
    default:
      state = base.line;
      usable = false;
  }
  return {
    ...base,
    state,
    since: state === view.state ? view.since : at,
    usable,
    usableSince: usable ? (view.usable ? view.usableSince : at) : null,
  };
}
