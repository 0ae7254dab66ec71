// Final result codes and how the stick frames what it writes (ITU-T V.250 §5.7, 3GPP TS 27.007
// §9.2): with ATV1 an information block is `\r\n<lines joined by \r\n>\r\n` and a result
// `\r\n<text>\r\n`; with ATV0 information is `<lines>\r\n` and a result `<number>\r`.

export type FinalResult =
  | { readonly kind: 'OK' }
  | { readonly kind: 'ERROR' }
  | { readonly kind: 'CME'; readonly code: number }
  | { readonly kind: 'CONNECT'; readonly text?: string }
  | { readonly kind: 'NO CARRIER' }
  | { readonly kind: 'COMMAND NOT SUPPORT' };

export const OK: FinalResult = { kind: 'OK' };
export const ERROR: FinalResult = { kind: 'ERROR' };
export const NO_CARRIER: FinalResult = { kind: 'NO CARRIER' };
export const cme = (code: number): FinalResult => ({ kind: 'CME', code });

/** Verbose texts of the +CME codes the stick uses (27.007 §9.2.1 / §9.2.2). */
export const CME_TEXT: Readonly<Record<number, string>> = {
  3: 'operation not allowed',
  4: 'operation not supported',
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  12: 'SIM PUK required',
  13: 'SIM failure',
  14: 'SIM busy',
  16: 'incorrect password',
  30: 'no network service',
  31: 'network timeout',
  100: 'unknown',
  111: 'PLMN not allowed',
  112: 'location area not allowed',
  113: 'roaming not allowed in this location area',
  127: 'missing or unknown APN',
  131: 'activation rejected, unspecified',
};

const NUMERIC: Readonly<Record<string, number>> = { OK: 0, CONNECT: 1, 'NO CARRIER': 3, ERROR: 4 };

export interface Framing {
  readonly verbose: boolean;
  /** +CMEE: 0 plain ERROR, 1 numeric, 2 verbose. */
  readonly cmee: 0 | 1 | 2;
}

export function resultText(result: FinalResult, framing: Framing): string {
  switch (result.kind) {
    case 'CME':
      if (framing.cmee === 0) return 'ERROR';
      return framing.cmee === 1 ? `+CME ERROR: ${result.code}` : `+CME ERROR: ${CME_TEXT[result.code] ?? 'unknown'}`;
    case 'CONNECT':
      return result.text ? `CONNECT ${result.text}` : 'CONNECT';
    default:
      return result.kind;
  }
}

export function frameInformation(lines: readonly string[], framing: Framing): string {
  if (lines.length === 0) return '';
  return framing.verbose ? `\r\n${lines.join('\r\n')}\r\n` : `${lines.join('\r\n')}\r\n`;
}

export function frameResult(result: FinalResult, framing: Framing): string {
  const text = resultText(result, framing);
  if (framing.verbose) return `\r\n${text}\r\n`;
  const code = NUMERIC[text];
  // Results without a V.250 number (+CME ERROR, COMMAND NOT SUPPORT) stay text in V0 mode.
  return code === undefined ? `${text}\r\n` : `${code}\r`;
}

/** Unsolicited codes are framed like information text, one block each. */
export function frameUrcs(lines: readonly string[]): string {
  return lines.map((line) => `\r\n${line}\r\n`).join('');
}
