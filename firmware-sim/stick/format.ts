// Small formatting helpers for Huawei-style replies.
import type { StickQuirks } from '../index.js';

/** `^TAG:value` or `^TAG: value`, per firmware quirk (Huawei's own ^ tags only). */
export function tag(quirks: StickQuirks, name: string, value: string): string {
  return quirks.spaceAfterColon ? `${name}: ${value}` : `${name}:${value}`;
}

/** Fixed-width hex, as ^DSFLOWQRY/^DSFLOWRPT print counters (8 or 16 digits). */
export function hex(quirks: StickQuirks, value: number, width: number): string {
  const text = Math.max(0, Math.floor(value)).toString(16).padStart(width, '0');
  return quirks.hexCase === 'upper' ? text.toUpperCase() : text;
}
