// Pure parsers for the radio side of the Huawei dialect: signal (+CSQ, ^RSSI), registration
// (+CREG/+CGREG, solicited and unsolicited forms apart), operator (+COPS?), system info
// (^SYSINFO) and mode (^MODE). Each returns a typed value, or null when the line is not the
// reply it parses (the caller turns that into a `bad-reply` ModemError).
import type { Registration, Technology } from '../../../shared/contract/messages.js';
import { fieldsOf, hexField, intField, textField, type Field } from './fields.js';

/** dBm for a +CSQ/^RSSI value: −113 + 2·rssi for 0–31; null for 99 (unknown) or nonsense. */
export function rssiToDbm(rssi: number | null): number | null {
  if (rssi === null || !Number.isInteger(rssi) || rssi < 0 || rssi > 31) return null;
  return -113 + 2 * rssi;
}

export interface SignalQuality {
  readonly rssi: number;
  readonly dbm: number | null;
  /** Bit error rate class 0–7; null when 99 (unknown). */
  readonly ber: number | null;
}

/** `+CSQ: 20,99` → rssi 20, −73 dBm. */
export function parseCsq(line: string): SignalQuality | null {
  const fields = fieldsOf(line, '+CSQ');
  const rssi = fields ? intField(fields, 0) : null;
  if (!fields || rssi === null) return null;
  const ber = intField(fields, 1);
  return { rssi, dbm: rssiToDbm(rssi), ber: ber === null || ber === 99 ? null : ber };
}

/** `^RSSI:17` or `^RSSI: 17` → −79 dBm; `^RSSI:99` → dbm null (unknown); null when not ^RSSI. */
export function parseRssiUrc(line: string): { readonly dbm: number | null } | null {
  const fields = fieldsOf(line, '^RSSI');
  const rssi = fields ? intField(fields, 0) : null;
  if (rssi === null) return null;
  return { dbm: rssiToDbm(rssi) };
}

const REGISTRATION: readonly Registration[] = ['not-registered', 'home', 'searching', 'denied', 'unknown', 'roaming'];

/** 27.007 <stat>; codes beyond 5 (SMS-only, emergency-only on later releases) count as unknown. */
export function registrationOf(stat: number | null): Registration | null {
  if (stat === null || stat < 0) return null;
  return REGISTRATION[stat] ?? 'unknown';
}

export function isRegistered(registration: Registration | null): boolean {
  return registration === 'home' || registration === 'roaming';
}

export interface RegistrationReport {
  /** `solicited` answers `AT+CREG?` (`<n>,<stat>[,…]`); `unsolicited` is the URC (`<stat>[,…]`). */
  readonly form: 'solicited' | 'unsolicited';
  /** Which registration: circuit-switched (+CREG) or packet (+CGREG). */
  readonly domain: 'cs' | 'ps';
  /** The URC mode `<n>` (solicited form only). */
  readonly mode: number | null;
  readonly registration: Registration;
  readonly lac: number | null;
  readonly cellId: number | null;
  /** 27.007 <AcT> when given. */
  readonly act: number | null;
}

/**
 * Which form a +CREG/+CGREG line has. Solicited: `n,stat` | `n,stat,lac,ci` | `n,stat,lac,ci,act`;
 * unsolicited: `stat` | `stat,lac,ci` | `stat,lac,ci,act`. With four fields the quoted `lac`
 * decides (index 2 solicited, index 1 unsolicited); unquoted, a one-digit last field is an AcT.
 */
function formOf(fields: readonly Field[]): 'solicited' | 'unsolicited' | null {
  switch (fields.length) {
    case 1:
    case 3:
      return 'unsolicited';
    case 2:
    case 5:
      return 'solicited';
    case 4:
      if (fields[1]?.quoted) return 'unsolicited';
      if (fields[2]?.quoted) return 'solicited';
      return (fields[3]?.text.length ?? 0) <= 1 ? 'unsolicited' : 'solicited';
    default:
      return null;
  }
}

/** +CREG / +CGREG in either form; null when not one of them or unreadable. */
export function parseRegistration(line: string): RegistrationReport | null {
  const cs = fieldsOf(line, '+CREG');
  const fields = cs ?? fieldsOf(line, '+CGREG');
  if (!fields) return null;
  const form = formOf(fields);
  if (!form) return null;
  const at = form === 'solicited' ? 1 : 0;
  const registration = registrationOf(intField(fields, at));
  if (!registration) return null;
  return {
    form,
    domain: cs ? 'cs' : 'ps',
    mode: form === 'solicited' ? intField(fields, 0) : null,
    registration,
    lac: hexField(fields, at + 1),
    cellId: hexField(fields, at + 2),
    act: intField(fields, at + 3),
  };
}

/** For the channel: does this +CREG/+CGREG line answer `AT+CREG?` (not a URC)? */
export function isSolicitedRegistration(line: string): boolean {
  return parseRegistration(line)?.form === 'solicited';
}

/** 27.007 <AcT> → technology; LTE and unknown values → null (the stick is UMTS). */
export function technologyOfAct(act: number | null): Technology | null {
  const table: Readonly<Record<number, Technology>> = { 0: 'gsm', 1: 'gsm', 2: 'umts', 3: 'edge', 4: 'hsdpa', 5: 'hsupa', 6: 'hspa' };
  return act === null ? null : (table[act] ?? null);
}

export interface OperatorReport {
  /** 0 automatic, 1 manual, 2 deregistered, … */
  readonly mode: number;
  /** The operator as given (long, short or numeric per the format); null when not registered. */
  readonly operator: string | null;
  readonly technology: Technology | null;
}

/** `+COPS: 0,0,"KPN NL",2` → KPN NL on UMTS; `+COPS: 0` → no operator. */
export function parseCops(line: string): OperatorReport | null {
  const fields = fieldsOf(line, '+COPS');
  const mode = fields ? intField(fields, 0) : null;
  if (!fields || mode === null) return null;
  return { mode, operator: textField(fields, 2), technology: technologyOfAct(intField(fields, 3)) };
}

/** Huawei sys_submode (^SYSINFO 7th field, ^MODE 2nd) → technology. */
export function technologyOfSubmode(submode: number | null): Technology | null {
  const table: Readonly<Record<number, Technology>> = {
    1: 'gsm',
    2: 'gprs',
    3: 'edge',
    4: 'umts',
    5: 'hsdpa',
    6: 'hsupa',
    7: 'hspa',
    8: 'umts', // TD-SCDMA
    9: 'hspa', // HSPA+
    17: 'hspa', // HSPA+ 64QAM
    18: 'hspa', // HSPA+ MIMO
  };
  return submode === null ? null : (table[submode] ?? null);
}

/** Huawei sys_mode → technology when no submode is given: 3 GSM/GPRS, 5 WCDMA. */
export function technologyOfSysMode(sysMode: number | null): Technology | null {
  if (sysMode === 3) return 'gsm';
  if (sysMode === 5) return 'umts';
  return null;
}

export interface SysInfo {
  /** 0 none, 1 restricted, 2 valid, 3 restricted regional, 4 power save. */
  readonly serviceStatus: number;
  /** 0 none, 1 CS, 2 PS, 3 CS+PS, 4 not registered. */
  readonly serviceDomain: number | null;
  /** null when absent or out of range (some firmwares put other values here). */
  readonly roaming: boolean | null;
  /** 0 none, 3 GSM/GPRS, 5 WCDMA, … */
  readonly sysMode: number | null;
  /** 1 valid, 240 invalid, 255 absent, … */
  readonly simState: number | null;
  readonly submode: number | null;
  readonly technology: Technology | null;
}

/** `^SYSINFO:2,3,0,5,1,,4` (and the short `^SYSINFO:2,3,0,5,1`, and trailing empties). */
export function parseSysinfo(line: string): SysInfo | null {
  const fields = fieldsOf(line, '^SYSINFO');
  const serviceStatus = fields ? intField(fields, 0) : null;
  if (!fields || serviceStatus === null) return null;
  const sysMode = intField(fields, 3);
  const submode = intField(fields, 6);
  const roam = intField(fields, 2);
  return {
    serviceStatus,
    serviceDomain: intField(fields, 1),
    roaming: roam === 0 || roam === 1 ? roam === 1 : null,
    sysMode,
    simState: intField(fields, 4),
    submode,
    technology: sysMode === 0 || serviceStatus === 0 ? null : (technologyOfSubmode(submode) ?? technologyOfSysMode(sysMode)),
  };
}

/** `^MODE:5,4` → WCDMA (umts). `^MODE:0` → no service. */
export function parseModeUrc(line: string): { readonly sysMode: number; readonly technology: Technology | null } | null {
  const fields = fieldsOf(line, '^MODE');
  const sysMode = fields ? intField(fields, 0) : null;
  if (!fields || sysMode === null) return null;
  return { sysMode, technology: sysMode === 0 ? null : (technologyOfSubmode(intField(fields, 1)) ?? technologyOfSysMode(sysMode)) };
}
