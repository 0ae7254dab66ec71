// Reading the fields of an information line leniently (HARDWARE.md "Replies vary between
// firmwares"): the tag in any case, a space after the colon or not, quoted or bare values,
// empty or missing trailing fields, decimal or hex with or without `0x`.

export interface Field {
  /** The value without its quotes and surrounding blanks. */
  readonly text: string;
  readonly quoted: boolean;
}

/**
 * The fields of `line` if its tag is one of `tags` (case ignored), else null.
 * `^SYSINFO:2,4,5,3,1,,` → ['2','4','5','3','1','',''].
 */
export function fieldsOf(line: string, ...tags: string[]): Field[] | null {
  const colon = line.indexOf(':');
  if (colon < 0) return null;
  const tag = line.slice(0, colon).trim().toUpperCase();
  if (!tags.some((t) => t.toUpperCase() === tag)) return null;
  return splitFields(line.slice(colon + 1));
}

/** Splits on commas outside double quotes. An empty body gives no fields. */
export function splitFields(body: string): Field[] {
  if (body.trim() === '') return [];
  const fields: Field[] = [];
  let current = '';
  let inQuotes = false;
  let quoted = false;
  for (const char of body) {
    if (char === '"') {
      inQuotes = !inQuotes;
      quoted = true;
      continue;
    }
    if (char === ',' && !inQuotes) {
      fields.push({ text: current.trim(), quoted });
      current = '';
      quoted = false;
      continue;
    }
    current += char;
  }
  fields.push({ text: current.trim(), quoted });
  return fields;
}

/** The first line of a reply that carries one of these tags. */
export function findTagged(lines: readonly string[], ...tags: string[]): { line: string; fields: Field[] } | null {
  for (const line of lines) {
    const fields = fieldsOf(line, ...tags);
    if (fields) return { line, fields };
  }
  return null;
}

/** A decimal integer field; null when absent, empty, not a number or too big to hold exactly. */
export function intField(fields: readonly Field[], index: number): number | null {
  const text = fields[index]?.text;
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * A hexadecimal field (`00C3`, `00c3`, `0x00C3`); null when absent, empty, not hex, or above
 * 2^53 − 1 (a double would round it: a 16-digit counter of all Fs is noise, not 18 EB).
 */
export function hexField(fields: readonly Field[], index: number): number | null {
  const text = fields[index]?.text;
  if (text === undefined) return null;
  const digits = text.replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,16}$/i.test(digits)) return null;
  const value = BigInt(`0x${digits}`);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/** A text field; null when absent or empty. */
export function textField(fields: readonly Field[], index: number): string | null {
  const text = fields[index]?.text;
  return text === undefined || text === '' ? null : text;
}
