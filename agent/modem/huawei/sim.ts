// Pure parsers for the SIM's state: `+CPIN?` (quoted or not, any case) and the ^SIMST URC.
import { fieldsOf, findTagged, intField } from './fields.js';

/** What the SIM waits for: nothing (`ready`), the PIN, the PUK, or something we cannot give. */
export type SimStatus = 'ready' | 'pin' | 'puk' | 'other';

/** `+CPIN: READY` / `+CPIN: SIM PIN` / `+CPIN: "SIM PUK"` / `+CPIN:READY`; null when absent. */
export function parseCpin(lines: readonly string[]): { readonly status: SimStatus; readonly raw: string } | null {
  const found = findTagged(lines, '+CPIN');
  const raw = found?.fields[0]?.text;
  if (raw === undefined || raw === '') return null;
  const value = raw.toUpperCase().replace(/\s+/g, ' ');
  const status: SimStatus = value === 'READY' ? 'ready' : value === 'SIM PIN' ? 'pin' : value === 'SIM PUK' ? 'puk' : 'other';
  return { status, raw };
}

/** `^SIMST:255` (no SIM) / `^SIMST: 1` (valid) / `^SIMST:1,0` → the state number; null otherwise. */
export function parseSimstUrc(line: string): number | null {
  const fields = fieldsOf(line, '^SIMST');
  return fields ? intField(fields, 0) : null;
}
