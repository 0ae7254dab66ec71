// The modem stack's typed errors: one class, a code per cause, so callers branch on `code`
// (never on message text). A `+CME ERROR` carries its numeric code and a name where
// HARDWARE.md lists it.

export const MODEM_ERROR_CODES = [
  /** The stick did not give a final result within the command's budget. */
  'timeout',
  /** `ERROR` (or `+CMS ERROR`). */
  'error',
  /** `+CME ERROR: <n>` / `+CME ERROR: <text>`; see `cme`. */
  'cme',
  /** `COMMAND NOT SUPPORT` (older Huawei firmwares answer unknown commands with it). */
  'not-supported',
  'no-carrier',
  'busy',
  'no-answer',
  'no-dialtone',
  /** The port closed (unplugged, or closed by us) while the command waited. */
  'closed',
  /** The device could not be opened (absent path, permissions). */
  'open-failed',
  /** No stick to talk to right now (unplugged, or not initialised yet). */
  'absent',
  /** The stick answered, but not in a form the parser understands. */
  'bad-reply',
  /** An option or a value built into a command is not acceptable (would inject a command). */
  'invalid-option',
  /** The modem was stopped. */
  'stopped',
] as const;

export type ModemErrorCode = (typeof MODEM_ERROR_CODES)[number];

/** 3GPP TS 27.007 §9.2 codes the Huawei stick uses (HARDWARE.md), by name. */
export const CME_NAMES = {
  3: 'not-allowed',
  4: 'not-supported',
  10: 'sim-not-inserted',
  11: 'sim-pin-required',
  12: 'sim-puk-required',
  13: 'sim-failure',
  14: 'sim-busy',
  16: 'incorrect-password',
  30: 'no-network-service',
  31: 'network-timeout',
  100: 'unknown',
  111: 'plmn-not-allowed',
  112: 'area-not-allowed',
  113: 'roaming-not-allowed',
  127: 'missing-or-unknown-apn',
  131: 'activation-rejected',
} as const satisfies Record<number, string>;

export type CmeName = (typeof CME_NAMES)[keyof typeof CME_NAMES];

/** The verbose (`AT+CMEE=2`) texts of the same codes, lower case, for `+CME ERROR: <text>`. */
const CME_TEXTS: Readonly<Record<string, CmeName>> = {
  'operation not allowed': 'not-allowed',
  'operation not supported': 'not-supported',
  'sim not inserted': 'sim-not-inserted',
  'sim pin required': 'sim-pin-required',
  'sim puk required': 'sim-puk-required',
  'sim failure': 'sim-failure',
  'sim busy': 'sim-busy',
  'incorrect password': 'incorrect-password',
  'no network service': 'no-network-service',
  'network timeout': 'network-timeout',
  unknown: 'unknown',
  'plmn not allowed': 'plmn-not-allowed',
  'location area not allowed': 'area-not-allowed',
  'area not allowed': 'area-not-allowed',
  'roaming not allowed in this location area': 'roaming-not-allowed',
  'roaming not allowed': 'roaming-not-allowed',
  'missing or unknown apn': 'missing-or-unknown-apn',
  'requested service option not subscribed': 'activation-rejected',
  'activation rejected': 'activation-rejected',
  'activation rejected by ggsn': 'activation-rejected',
};

export interface CmeDetail {
  /** The numeric code; null when the stick answered with text only. */
  readonly code: number | null;
  /** The code's name where known, else null. */
  readonly name: CmeName | null;
  /** What the stick said after `+CME ERROR:`, trimmed. */
  readonly text: string;
}

/** Reads the part after `+CME ERROR:` (a number or a text) into a typed detail. */
export function cmeDetail(raw: string): CmeDetail {
  const text = raw.trim();
  // A number too long to hold exactly is not a code any stick uses: kept as text only.
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
    const code = Number(text);
    const name = (CME_NAMES as Readonly<Record<number, CmeName>>)[code] ?? null;
    return { code, name, text };
  }
  // Own keys only: `constructor` or `__proto__` from a confused stick must not name anything.
  const name = Object.hasOwn(CME_TEXTS, text.toLowerCase()) ? (CME_TEXTS[text.toLowerCase()] ?? null) : null;
  const code = name === null ? null : Number(Object.entries(CME_NAMES).find(([, n]) => n === name)?.[0]);
  return { code: code !== null && Number.isFinite(code) ? code : null, name, text };
}

export class ModemError extends Error {
  override readonly name = 'ModemError';
  constructor(
    readonly code: ModemErrorCode,
    message: string,
    readonly details: { readonly command?: string; readonly cme?: CmeDetail; readonly cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  /** The command this error came from, if any (secrets such as the PIN are masked). */
  get command(): string | undefined {
    return this.details.command;
  }

  get cme(): CmeDetail | undefined {
    return this.details.cme;
  }
}

export function isModemError(error: unknown, code?: ModemErrorCode): error is ModemError {
  return error instanceof ModemError && (code === undefined || error.code === code);
}

/** A `+CME ERROR` with this name (`sim-busy`, `incorrect-password`, …). */
export function isCme(error: unknown, name: CmeName): boolean {
  return isModemError(error, 'cme') && error.cme?.name === name;
}
