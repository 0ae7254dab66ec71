// The service's fixed numbers, from ../shared/docs/SERVICE.md. Programs read them from here
// only; where a rule is configurable, these are the defaults.

export const TIME_ZONE = 'Europe/Amsterdam';

/** R1: the routers ServicePlus supports. */
export const SUPPORTED_MODELS = ['7340', '7360', '7390', '7490'] as const;
export type SupportedModel = (typeof SUPPORTED_MODELS)[number];

/**
 * R1: reads a FRITZ!Box model name as TR-064 reports it ("FRITZ!Box 7490", "FRITZ!Box Fon WLAN
 * 7390") and returns the supported model number, or null for any other router.
 */
export function supportedModel(modelName: string): SupportedModel | null {
  const name = modelName.trim();
  if (!/^FRITZ!Box\b/i.test(name)) return null;
  const numbers = name.match(/\b\d{4}\b/g) ?? [];
  if (numbers.length !== 1) return null;
  const found = SUPPORTED_MODELS.find((model) => model === numbers[0]);
  return found ?? null;
}

export type ProfileName = 'baseline' | 'boost';

export interface Rates {
  /** kbit/s towards the customer */
  readonly downKbps: number;
  /** kbit/s from the customer */
  readonly upKbps: number;
}

/** R3 baseline and R4 boost, in kbit/s. */
export const PROFILES: Readonly<Record<ProfileName, Rates>> = {
  baseline: { downKbps: 128, upKbps: 64 },
  boost: { downKbps: 3600, upKbps: 1400 },
};

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** R5: a boost ends 24 hours after it was granted. */
export const BOOST_DURATION_MS = DAY_MS;

/** R7: self-service boosts per calendar month (Europe/Amsterdam). */
export const SELF_SERVICE_BOOSTS_PER_MONTH = 2;

/** R9: fair use, upload and download together, per calendar month. 5 GB = 5,000,000,000 bytes. */
export const FAIR_USE_CAP_BYTES = 5_000_000_000;

/** R9: the thresholds that raise a fair-use event, as fractions of the cap. */
export const FAIR_USE_THRESHOLDS = [0.8, 1] as const;
export type FairUseThreshold = (typeof FAIR_USE_THRESHOLDS)[number];

/** R10: what does not work while a router is on mobile; customer and NOC are shown this list. */
export const UNAVAILABLE_ON_MOBILE = [
  'Advanced Business Mail / BSMTP (mail is queued and delivered when DSL is back; webmail works)',
  'IPv6',
  'Your own servers reached by fixed IP address or hostname',
  'VPN connections to the fixed IP address',
  'High-bandwidth services such as IPTV',
] as const;

/** R16: the outage the online guarantee covers, and the refund. */
export const GUARANTEE_OUTAGE_MS = 4 * HOUR_MS;
/** R19: the monthly fee, in euro cents. */
export const MONTHLY_FEE_CENTS = 1000;

/** R17: licence seats per subscription (5 from the ISP plus 5 from ServicePlus). */
export const LICENCE_SEATS = 10;
