// Final result codes (V.250 §5.7, 3GPP TS 27.007 §9.2 and Huawei's extra): every line that
// ends a command is named here and mapped to success or a typed error, as ModemManager's
// serial parsers do. Anything else is an information line or an unsolicited code.
import { cmeDetail, ModemError, type ModemErrorCode } from '../errors.js';

export type FinalResult =
  | { readonly kind: 'ok' }
  /** `CONNECT` (PPP dial success), with the optional rate text after it. */
  | { readonly kind: 'connect'; readonly text: string }
  | { readonly kind: 'error'; readonly code: Exclude<ModemErrorCode, 'timeout' | 'closed'>; readonly line: string };

const SIMPLE: Readonly<Record<string, FinalResult>> = {
  OK: { kind: 'ok' },
  ERROR: { kind: 'error', code: 'error', line: 'ERROR' },
  'COMMAND NOT SUPPORT': { kind: 'error', code: 'not-supported', line: 'COMMAND NOT SUPPORT' },
  'NO CARRIER': { kind: 'error', code: 'no-carrier', line: 'NO CARRIER' },
  BUSY: { kind: 'error', code: 'busy', line: 'BUSY' },
  'NO ANSWER': { kind: 'error', code: 'no-answer', line: 'NO ANSWER' },
  'NO DIALTONE': { kind: 'error', code: 'no-dialtone', line: 'NO DIALTONE' },
  'NO DIAL TONE': { kind: 'error', code: 'no-dialtone', line: 'NO DIAL TONE' },
};

/** The final result this line is, or null when it is not one. Case and blanks are ignored. */
export function classifyFinal(line: string): FinalResult | null {
  const upper = line.trim().toUpperCase();
  const simple = SIMPLE[upper];
  if (simple) return simple;
  if (upper === 'CONNECT' || upper.startsWith('CONNECT ')) return { kind: 'connect', text: line.trim().slice(7).trim() };
  if (/^\+CM[ES] ERROR\s*:/.test(upper)) return { kind: 'error', code: upper.startsWith('+CME') ? 'cme' : 'error', line: line.trim() };
  return null;
}

/** The typed error for a failed final result of `command` (its text already masked). */
export function finalError(result: Extract<FinalResult, { kind: 'error' }>, command: string): ModemError {
  if (result.code === 'cme') {
    const cme = cmeDetail(result.line.slice(result.line.indexOf(':') + 1));
    const label = cme.name ?? (cme.code !== null ? `code ${cme.code}` : cme.text);
    return new ModemError('cme', `${command}: +CME ERROR ${label}`, { command, cme });
  }
  return new ModemError(result.code, `${command}: ${result.line}`, { command });
}
