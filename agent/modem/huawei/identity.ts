// Pure parsers for who the stick is: `ATI` (several `Name: value` lines) and the bare replies
// of `+CGMI`, `+CGMM` (text) and `+CGSN` (the IMEI), some firmwares repeating the tag.
export interface Identity {
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly revision: string | null;
  readonly imei: string | null;
}

const ATI_KEYS: Readonly<Record<string, keyof Identity>> = {
  MANUFACTURER: 'manufacturer',
  MODEL: 'model',
  REVISION: 'revision',
  IMEI: 'imei',
};

/** `Manufacturer: huawei` / `Model: E173` / `Revision: 11.126…` / `IMEI: 35…` (+GCAP ignored). */
export function parseAti(lines: readonly string[]): Identity {
  const found: { -readonly [K in keyof Identity]: string | null } = { manufacturer: null, model: null, revision: null, imei: null };
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = ATI_KEYS[line.slice(0, colon).trim().toUpperCase()];
    const value = line.slice(colon + 1).trim();
    if (key && value !== '') found[key] = key === 'imei' ? imeiOf(value) : value;
  }
  return found;
}

/** The value of a bare text reply (`huawei`, or `+CGMI: huawei` on some firmwares). */
export function parseBareText(lines: readonly string[], tag: string): string | null {
  const prefix = new RegExp(`^${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*`, 'i');
  for (const line of lines) {
    const value = line.replace(prefix, '').replace(/^"(.*)"$/, '$1').trim();
    if (value !== '') return value;
  }
  return null;
}

/** The IMEI from a `+CGSN` reply: the first line that is 14 to 17 digits. */
export function parseImei(lines: readonly string[]): string | null {
  for (const line of lines) {
    const imei = imeiOf(line.replace(/^\+CGSN\s*:\s*/i, '').replace(/"/g, ''));
    if (imei) return imei;
  }
  return null;
}

function imeiOf(text: string): string | null {
  const digits = text.trim();
  return /^\d{14,17}$/.test(digits) ? digits : null;
}
