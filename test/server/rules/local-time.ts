// Test helpers: write and read instants as Amsterdam wall-clock time, the way the rules speak.
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../../../shared/service.js';

/** `local('2026-01-15 15:00')` → the instant of that Amsterdam wall-clock time. */
export function local(text: string): number {
  const parsed = DateTime.fromFormat(text, text.length > 16 ? 'yyyy-MM-dd HH:mm:ss.SSS' : 'yyyy-MM-dd HH:mm', { zone: TIME_ZONE });
  if (!parsed.isValid) throw new Error(`local(): bad time ${text}: ${parsed.invalidExplanation ?? ''}`);
  return parsed.toMillis();
}

/** An instant as `Thu 2026-01-15 19:00 +01:00`, so failures read like the rules. */
export function show(at: number): string {
  return DateTime.fromMillis(at, { zone: TIME_ZONE }).toFormat('ccc yyyy-MM-dd HH:mm ZZ');
}

export const MINUTE_MS = 60_000;
