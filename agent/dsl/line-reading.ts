// What one poll of the box says about the line, classified: pure, so every combination of
// TR-064 values can be tested without a box.

/** A single poll's verdict; `unreachable` means the box itself did not answer. */
export type LineKind = 'up' | 'down' | 'training' | 'no-internet' | 'unreachable';

export interface LineObservation {
  readonly kind: LineKind;
  /** Short readable facts (`PhysicalLinkStatus Down`, `PPP Connecting`). */
  readonly evidence: readonly string[];
  /** Current DSL rates when known (WANDSLInterfaceConfig GetInfo), kbit/s. */
  readonly downKbps: number | null;
  readonly upKbps: number | null;
}

/** The TR-064 values one poll read; null where the action was not called this time. */
export interface RawLinkValues {
  /** WANCommonInterfaceConfig GetCommonLinkProperties NewPhysicalLinkStatus. */
  readonly physical: string | null;
  /** WANPPPConnection (or WANIPConnection) GetStatusInfo NewConnectionStatus. */
  readonly connection: string | null;
  readonly lastConnectionError: string | null;
  /** WANDSLInterfaceConfig GetInfo NewStatus (TR-098 values). */
  readonly dslStatus: string | null;
  readonly downKbps: number | null;
  readonly upKbps: number | null;
}

const DSL_DOWN = new Set(['nosignal', 'error', 'disabled']);
const DSL_TRAINING = new Set(['initializing', 'establishinglink']);

export function classifyLine(raw: RawLinkValues): LineObservation {
  const evidence: string[] = [];
  const physical = raw.physical?.trim() ?? null;
  const dsl = raw.dslStatus?.trim() ?? null;
  const connection = raw.connection?.trim() ?? null;
  if (physical !== null) evidence.push(`PhysicalLinkStatus ${physical}`);
  if (dsl !== null) evidence.push(`DSL Status ${dsl}`);
  if (connection !== null) {
    const error = raw.lastConnectionError?.trim();
    evidence.push(`connection ${connection}${error && error !== 'ERROR_NONE' ? ` (${error})` : ''}`);
  }
  const rates = { downKbps: raw.downKbps, upKbps: raw.upKbps };
  const physicalLower = physical?.toLowerCase() ?? null;
  const dslLower = dsl?.toLowerCase() ?? null;

  let kind: LineKind;
  if (physicalLower === 'down' || physicalLower === 'unavailable' || (dslLower !== null && DSL_DOWN.has(dslLower))) kind = 'down';
  else if (physicalLower === 'initializing' || (dslLower !== null && DSL_TRAINING.has(dslLower))) kind = 'training';
  else if (physicalLower === 'up' || dslLower === 'up') {
    // Sync without a connected PPP/IP session carries no traffic: "line up, no internet".
    kind = connection === null || connection.toLowerCase() === 'connected' ? 'up' : 'no-internet';
  } else {
    evidence.push('no usable link status in the answer');
    kind = 'down';
  }
  return { kind, evidence, ...rates };
}

export function unreachableObservation(reason: string): LineObservation {
  return { kind: 'unreachable', evidence: [`router did not answer: ${reason}`.slice(0, 200)], downKbps: null, upKbps: null };
}
