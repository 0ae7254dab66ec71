// How long the stick takes to answer, per kind of command. Defaults are realistic figures with
// their source; `latencyScale` multiplies them (0 = instant, for fast tests), and per-key
// overrides are used as given.

export type LatencyKey =
  | 'local' // answered from the stick's own state: E, V, I, +CGMI, +CMEE, +CSQ, +CREG?, ^SYSINFO, ^DSFLOWQRY, +CGEQREQ…
  | 'simQuery' // +CPIN?, ^CPIN?, +CIMI
  | 'simVerify' // +CPIN=<pin>: the SIM runs VERIFY CHV (and writes its try counter)
  | 'simBusy' // after power-up the SIM answers +CME ERROR: 14 for this long
  | 'register' // radio on + SIM ready (or coverage back) → registered
  | 'copsSet' // +COPS=0 / +COPS=2
  | 'copsScan' // +COPS=? (a network scan)
  | 'activate' // ^NDISDUP=…,1 → ^NDISSTAT: 1 ; ATD*99# → CONNECT (PDP context activation)
  | 'deactivate' // ^NDISDUP=…,0 → ^NDISSTAT: 0
  | 'modify' // +CGCMOD (PDP context modification with the network)
  | 'cfun' // +CFUN=0/1/4
  | 'resetDetach' // +CFUN=1,1: OK → the USB device disappears
  | 'reboot' // USB device gone → port back (re-enumeration and firmware boot)
  | 'escapeGuard'; // +++ guard time before OK

/** Default latencies in ms, and where each figure comes from. */
export const LATENCY_DEFAULTS_MS: Readonly<Record<LatencyKey, number>> = {
  // Telit HSPA+ AT reference ("commands that do not interact with the SIM or the network …
  // have an immediate response"; it asks for 20 ms between commands); ModemManager's default
  // 3 s command timeout is the upper bound.
  local: 20,
  // Same class as `local` plus a SIM status read; own estimate within ModemManager's 3 s.
  simQuery: 50,
  // ISO 7816 VERIFY at the SIM's default 9600 bit/s plus an EEPROM write; own estimate, the Telit
  // reference says SIM commands "can take many seconds"; ModemManager sends +CPIN= with a 3 s
  // timeout (mm-base-sim.c), so a real SIM answers well within that.
  simVerify: 400,
  // HARDWARE.md: CME 14 "SIM busy (for a few seconds after power-up)".
  simBusy: 2000,
  // UMTS attach + location update after power-up: a few seconds (Qualcomm, "Latency in HSPA Data
  // Networks": control-plane set-up "in the range of a few seconds"); ModemManager allows 120 s
  // for +COPS=0 (HARDWARE.md).
  register: 4000,
  copsSet: 1000,
  // A full band scan; ModemManager allows 120 s for +COPS=? (own figure, shortened).
  copsScan: 15000,
  // PDP context activation: "a few seconds" (Qualcomm, as above); ModemManager gives ^NDISDUP 3 s
  // to answer OK and then polls ^NDISSTATQRY for up to 60 s (HARDWARE.md: 180 s).
  activate: 1500,
  deactivate: 300,
  // One network round trip of MODIFY PDP CONTEXT (Qualcomm: RRC/NAS signalling ≈ hundreds of ms).
  modify: 600,
  // ModemManager's +CFUN budget is 5 s (HARDWARE.md); radio on/off takes about a second.
  cfun: 1000,
  resetDetach: 300,
  // USB re-enumeration plus firmware start of an E-series stick: several seconds (own
  // observation class; ModemManager re-probes ports for up to ~10 s after a hot-plug).
  reboot: 6000,
  // ITU-T V.250 S12 default escape guard time: 1 s (S12=50 × 20 ms).
  escapeGuard: 1000,
};

export interface LatencyOptions {
  readonly latencyScale?: number;
  readonly latencies?: Partial<Record<LatencyKey, number>>;
}

export type LatencyOf = (key: LatencyKey) => number;

export function latencyTable(options: LatencyOptions): LatencyOf {
  const scale = options.latencyScale ?? 1;
  if (!Number.isFinite(scale) || scale < 0) throw new RangeError(`latencyScale must be ≥ 0, got ${scale}`);
  const overrides = options.latencies ?? {};
  return (key) => {
    const override = overrides[key];
    if (override !== undefined) return Math.max(0, override);
    return LATENCY_DEFAULTS_MS[key] * scale;
  };
}
