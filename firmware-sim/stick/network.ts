// What the stick reports about the radio network, derived from the simulated world: pure
// functions from a radio view to the numbers of +CREG, +CSQ, ^SYSINFO, ^MODE and +COPS.

export type Technology = 'gsm' | 'gprs' | 'edge' | 'umts' | 'hsdpa' | 'hsupa' | 'hspa';
export type Registration = 'not-registered' | 'home' | 'searching' | 'denied' | 'unknown' | 'roaming';

export interface RadioView {
  /** +CFUN level. */
  readonly cfun: number;
  readonly simReady: boolean;
  readonly simPresent: boolean;
  /** null = no coverage. */
  readonly signalDbm: number | null;
  /** The network's answer once the stick may register. */
  readonly target: Registration;
  /** A registration attempt is under way (after power-up, unlock or coverage regained). */
  readonly registering: boolean;
  /** +COPS=2: deregistered on request. */
  readonly deregistered: boolean;
  readonly technology: Technology;
}

export const REG_STAT: Readonly<Record<Registration, number>> = {
  'not-registered': 0,
  home: 1,
  searching: 2,
  denied: 3,
  unknown: 4,
  roaming: 5,
};

export function reportedRegistration(v: RadioView): Registration {
  if (v.cfun !== 1 || !v.simReady || v.deregistered) return 'not-registered';
  if (v.signalDbm === null || v.registering) return 'searching';
  return v.target;
}

export function isRegistered(v: RadioView): boolean {
  const r = reportedRegistration(v);
  return r === 'home' || r === 'roaming';
}

/** +CSQ / ^RSSI: 0 ≤ −113 dBm, 31 ≥ −51 dBm, 2 dBm per step; 99 unknown. */
export function rssi(v: RadioView): number {
  if (v.cfun !== 1 || v.signalDbm === null) return 99;
  return Math.min(31, Math.max(0, Math.round((v.signalDbm + 113) / 2)));
}

const SUBMODE: Readonly<Record<Technology, number>> = { gsm: 1, gprs: 2, edge: 3, umts: 4, hsdpa: 5, hsupa: 6, hspa: 7 };

export function sysMode(t: Technology): number {
  return t === 'gsm' || t === 'gprs' || t === 'edge' ? 3 : 5;
}

/** ^MODE:<sys_mode>,<sys_submode>; 0,0 without service. */
export function modeReport(v: RadioView): { mode: number; submode: number } {
  if (v.cfun !== 1 || v.signalDbm === null) return { mode: 0, submode: 0 };
  return { mode: sysMode(v.technology), submode: SUBMODE[v.technology] };
}

/** ^SIMST / ^SYSINFO sim_state: 1 valid, 0 invalid (blocked), 255 not present. */
export function simState(present: boolean, blocked: boolean): number {
  if (!present) return 255;
  return blocked ? 0 : 1;
}

export interface Sysinfo {
  readonly srvStatus: number;
  readonly srvDomain: number;
  readonly roam: number;
  readonly sysMode: number;
  readonly simState: number;
  readonly submode: number;
}

/** ^SYSINFO fields: srv_status 0 none, 1 restricted, 2 valid; srv_domain 0 none, 3 CS+PS,
 *  4 not registered; sys_mode 0/3/5; submode 0…7. */
export function sysinfo(v: RadioView, simStateValue: number): Sysinfo {
  const reg = reportedRegistration(v);
  const registered = reg === 'home' || reg === 'roaming';
  const camped = v.cfun === 1 && v.signalDbm !== null;
  const srvStatus = registered ? 2 : camped && (reg === 'denied' || !v.simReady) ? 1 : 0;
  const { mode, submode } = modeReport(v);
  return {
    srvStatus,
    srvDomain: registered ? 3 : srvStatus === 1 ? 4 : 0,
    roam: reg === 'roaming' ? 1 : 0,
    sysMode: srvStatus === 0 ? 0 : mode,
    simState: simStateValue,
    submode: srvStatus === 0 ? 0 : submode,
  };
}

/** +COPS <AcT>: 0 GSM, 2 UTRAN, 3 GSM w/EGPRS, 4 HSDPA, 5 HSUPA, 6 HSDPA+HSUPA (27.007). */
export function copsAct(t: Technology): number {
  switch (t) {
    case 'gsm':
    case 'gprs':
      return 0;
    case 'edge':
      return 3;
    case 'umts':
      return 2;
    case 'hsdpa':
      return 4;
    case 'hsupa':
      return 5;
    case 'hspa':
      return 6;
  }
}
