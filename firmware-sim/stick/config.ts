// The stick's resolved configuration: options with defaults filled in.
import type { SimClock, SimRegistration, SimTechnology, StickOptions, StickQuirks } from '../index.js';
import { latencyTable, type LatencyOf } from './latency.js';
import type { Kbps, Rounding } from './rates.js';

export interface StickIdentity {
  readonly manufacturer: string;
  readonly model: string;
  readonly revision: string;
  readonly imei: string;
  readonly imsi: string;
}

export interface StickConfig {
  readonly identity: StickIdentity;
  readonly operatorName: string;
  readonly operatorShort: string;
  readonly operatorNumeric: string;
  readonly apn: string | null;
  readonly pin: string | null;
  readonly puk: string;
  readonly latency: LatencyOf;
  readonly urcs: boolean;
  readonly bootUrcIntervalMs: number | null;
  readonly dsflowReportIntervalMs: number | null;
  readonly signalDbm: number | null;
  readonly registration: SimRegistration;
  readonly technology: SimTechnology;
  readonly subscribed: Kbps;
  readonly rounding: Rounding;
  readonly resetMode: 'reenumerate' | 'in-place';
  readonly quirks: StickQuirks;
  readonly clock: SimClock;
}

export const DEFAULT_QUIRKS: StickQuirks = {
  spaceAfterColon: false,
  hexCase: 'upper',
  ndisStatQueryTag: '^NDISSTATQRY',
  unknownCommand: 'ERROR',
  sysinfo: 'full',
};

/** Appends the Luhn check digit to 14 IMEI digits. */
export function withLuhn(digits14: string): string {
  let sum = 0;
  for (let i = 0; i < digits14.length; i++) {
    let d = Number(digits14[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${digits14}${(10 - (sum % 10)) % 10}`;
}

export function resolveStickConfig(options: StickOptions, clock: SimClock): StickConfig {
  const operatorNumeric = options.operatorNumeric ?? '20408';
  return {
    identity: {
      manufacturer: options.manufacturer ?? 'huawei',
      model: options.model ?? 'E173',
      revision: options.revision ?? '11.126.85.00.209',
      imei: options.imei ?? withLuhn('35360704123456'),
      imsi: `${operatorNumeric}0123456789`.slice(0, 15),
    },
    operatorName: options.operatorName ?? 'KPN NL',
    operatorShort: (options.operatorName ?? 'KPN NL').split(' ')[0] ?? 'KPN',
    operatorNumeric,
    apn: options.apn ?? null,
    pin: options.pin ?? null,
    puk: options.puk ?? '12345678',
    latency: latencyTable(options),
    urcs: options.urcs ?? true,
    bootUrcIntervalMs: options.bootUrcIntervalMs ?? null,
    dsflowReportIntervalMs: options.dsflowReportIntervalMs === undefined ? 2000 : options.dsflowReportIntervalMs,
    signalDbm: options.signalDbm === undefined ? -73 : options.signalDbm,
    registration: options.registration ?? 'home',
    technology: options.technology ?? 'hspa',
    subscribed: options.subscribedRates ?? { downKbps: 7200, upKbps: 5760 },
    rounding: options.rateRounding ?? 'down',
    resetMode: options.resetMode ?? 'reenumerate',
    quirks: { ...DEFAULT_QUIRKS, ...options.quirks },
    clock,
  };
}
