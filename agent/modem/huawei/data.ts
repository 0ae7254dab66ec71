// Pure parsers for the data side of the Huawei dialect: the NDIS session state (^NDISSTAT URC,
// ^NDISSTATQRY? reply, any tag case), the negotiated QoS (+CGEQNEG) and the byte counters
// (^DSFLOWQRY reply, ^DSFLOWRPT URC; hex in either case, with or without `0x`).
import type { Rates } from '../../../shared/service.js';
import { fieldsOf, findTagged, hexField, intField, textField } from './fields.js';

export interface NdisStatus {
  readonly connected: boolean;
  /** The network's cause code when a session failed or ended (`^NDISSTAT:0,33,,"IPV4"`). */
  readonly cause: number | null;
  /** `IPV4`, `IPV6`, … when given. */
  readonly pdpType: string | null;
}

/** `^NDISSTAT: 1,,,"IPV4"` (URC) or `^NDISSTATQRY: 1,,,"IPV4"` / `^NDISSTATQry:1` (query reply). */
export function parseNdisStat(line: string): NdisStatus | null {
  const fields = fieldsOf(line, '^NDISSTAT', '^NDISSTATQRY');
  const stat = fields ? intField(fields, 0) : null;
  if (!fields || stat === null) return null;
  return { connected: stat === 1, cause: intField(fields, 1), pdpType: textField(fields, 3) };
}

/** For the channel: a `^NDISSTATQRY` line is the query's reply (the URC tag is `^NDISSTAT`). */
export function findNdisStat(lines: readonly string[]): NdisStatus | null {
  const found = findTagged(lines, '^NDISSTATQRY', '^NDISSTAT');
  return found ? parseNdisStat(found.line) : null;
}

/**
 * `+CGEQNEG: 1,3,64,128,0,0,…` → negotiated 128 down / 64 up for that cid (fields: cid, traffic
 * class, max UL, max DL, …). Null when the reply has no line for `cid` (no active context).
 */
export function parseCgeqneg(lines: readonly string[], cid: number): Rates | null {
  for (const line of lines) {
    const fields = fieldsOf(line, '+CGEQNEG');
    if (!fields || intField(fields, 0) !== cid) continue;
    const upKbps = intField(fields, 2);
    const downKbps = intField(fields, 3);
    // What +CGEQREQ can ask for (HARDWARE.md: up to 16000 kbit/s); beyond it the line is not a grant.
    if (upKbps === null || downKbps === null || !inRateRange(upKbps) || !inRateRange(downKbps)) return null;
    return { downKbps, upKbps };
  }
  return null;
}

const MAX_RATE_KBPS = 16_000;
const inRateRange = (kbps: number): boolean => kbps >= 0 && kbps <= MAX_RATE_KBPS;

export interface FlowQuery {
  /** The current session when online, else the last one. */
  readonly lastSeconds: number;
  readonly lastTxBytes: number;
  readonly lastRxBytes: number;
  /** Since the last ^DSFLOWCLR or stick restart. */
  readonly totalSeconds: number;
  readonly totalTxBytes: number;
  readonly totalRxBytes: number;
}

/** `^DSFLOWQRY:00000A3B,0000000000012C00,…` (six hex fields). */
export function parseDsflowQry(line: string): FlowQuery | null {
  const fields = fieldsOf(line, '^DSFLOWQRY');
  if (!fields) return null;
  const values = [0, 1, 2, 3, 4, 5].map((i) => hexField(fields, i));
  if (values.some((v) => v === null)) return null;
  const [lastSeconds, lastTxBytes, lastRxBytes, totalSeconds, totalTxBytes, totalRxBytes] = values as number[];
  return {
    lastSeconds: lastSeconds!,
    lastTxBytes: lastTxBytes!,
    lastRxBytes: lastRxBytes!,
    totalSeconds: totalSeconds!,
    totalTxBytes: totalTxBytes!,
    totalRxBytes: totalRxBytes!,
  };
}

export interface FlowReport {
  readonly seconds: number;
  /** Bytes per second now. */
  readonly txRate: number;
  readonly rxRate: number;
  readonly txBytes: number;
  readonly rxBytes: number;
  /** The QoS the network granted, bytes per second; null when not given. */
  readonly qosTxRate: number | null;
  readonly qosRxRate: number | null;
}

/** `^DSFLOWRPT:0000001E,00000000,00000000,…` (seven hex fields; the QoS pair may be missing). */
export function parseDsflowRpt(line: string): FlowReport | null {
  const fields = fieldsOf(line, '^DSFLOWRPT');
  if (!fields) return null;
  const [seconds, txRate, rxRate, txBytes, rxBytes] = [0, 1, 2, 3, 4].map((i) => hexField(fields, i));
  if (seconds == null || txRate == null || rxRate == null || txBytes == null || rxBytes == null) return null;
  return { seconds, txRate, rxRate, txBytes, rxBytes, qosTxRate: hexField(fields, 5), qosRxRate: hexField(fields, 6) };
}
