// The AT commands the modem sends, built in one place, with the budget each gets. Values that
// come from configuration (APN, PIN) are checked here as well as at option validation: nothing
// built from them may end a command line or start a second one.
import type { Rates } from '../../../shared/service.js';
import { ModemError } from '../errors.js';

/** The PDP context the agent uses. */
export const CID = 1;
/** +CGEQREQ traffic class: 2 interactive (web, mail: what a fallback line carries). */
export const TRAFFIC_CLASS = 2;

/** Why a configuration value may not go into a command, or null when it may. */
export function unsafeReason(value: string): string | null {
  if (/[\r\n]/.test(value)) return 'must not contain a line break';
  if (value.includes(';')) return 'must not contain ";" (it would chain a second command)';
  if (value.includes('"')) return 'must not contain a double quote';
  if (/[^\x20-\x7e]/.test(value)) return 'must be printable ASCII';
  return null;
}

/** Why an APN is not acceptable, or null. 3GPP TS 23.003 allows at most 100 characters. */
export function apnProblem(apn: string): string | null {
  if (apn.length === 0 || apn.length > 100) return 'must be 1 to 100 characters';
  return unsafeReason(apn);
}

/** Why a SIM PIN is not acceptable, or null: 4 to 8 digits (3GPP TS 31.101). */
export function pinProblem(pin: string): string | null {
  return unsafeReason(pin) ?? (/^\d{4,8}$/.test(pin) ? null : 'must be 4 to 8 digits');
}

function checked(what: string, value: string, problem: string | null): string {
  if (problem) throw new ModemError('invalid-option', `${what} ${problem}`);
  return value;
}

export interface Command {
  readonly text: string;
  /** What logs and errors show (the PIN masked). */
  readonly logAs?: string;
}

export const at = {
  echoOff: 'ATE0',
  verbose: 'ATV1',
  cmeeNumeric: 'AT+CMEE=1',
  curcOn: 'AT^CURC=1',
  identity: 'ATI',
  manufacturer: 'AT+CGMI',
  model: 'AT+CGMM',
  imei: 'AT+CGSN',
  pinQuery: 'AT+CPIN?',
  cregReports: 'AT+CREG=2',
  cgregReports: 'AT+CGREG=2',
  copsLongAlpha: 'AT+COPS=3,0',
  cregQuery: 'AT+CREG?',
  cgregQuery: 'AT+CGREG?',
  copsQuery: 'AT+COPS?',
  copsAutomatic: 'AT+COPS=0',
  sysinfo: 'AT^SYSINFO',
  csq: 'AT+CSQ',
  ndisQuery: 'AT^NDISSTATQRY?',
  ndisDown: `AT^NDISDUP=${CID},0`,
  flowQuery: 'AT^DSFLOWQRY',
  restart: 'AT+CFUN=1,1',
  radioOff: 'AT+CFUN=0',
  radioOn: 'AT+CFUN=1',
  modify: `AT+CGCMOD=${CID}`,
  negotiated: `AT+CGEQNEG=${CID}`,
} as const;

export function enterPin(pin: string): Command {
  return { text: `AT+CPIN="${checked('the SIM PIN', pin, pinProblem(pin))}"`, logAs: 'AT+CPIN="****"' };
}

export function defineContext(apn: string): Command {
  return { text: `AT+CGDCONT=${CID},"IP","${checked('the APN', apn, apnProblem(apn))}"` };
}

export function ndisUp(apn: string): Command {
  return { text: `AT^NDISDUP=${CID},1,"${checked('the APN', apn, apnProblem(apn))}"` };
}

/** +CGEQREQ with maximum rates already on the grid (see rate-grid.ts). */
export function requestQos(rates: Rates): Command {
  const ok = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= 16000;
  if (!ok(rates.upKbps) || !ok(rates.downKbps)) {
    throw new ModemError('invalid-option', `rates must be whole kbit/s between 1 and 16000, got ${rates.downKbps}/${rates.upKbps}`);
  }
  return { text: `AT+CGEQREQ=${CID},${TRAFFIC_CLASS},${rates.upKbps},${rates.downKbps}` };
}
