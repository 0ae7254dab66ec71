// The modem stack for the rest of the agent: `createModem(options)` gives a `Modem` (api.ts)
// over the Huawei stick at `options.devicePath`. Layers, imports pointing down only:
//   framing/   line framing (CR/LF split, echo, noise)
//   channel/   the AT command channel (one in flight, budgets, final results, URC dispatch), the port
//   huawei/    the dialect: command builders and pure reply parsers
//   machine/   the modem state machine as data (pure transition), runner.ts carries it out
import type { Modem } from './api.js';
import { resolveModemOptions, type ModemOptions } from './options.js';
import { ModemRunner } from './runner.js';

export type { DataCounters, Modem, ModemEvent, ModemIdentity, ModemSnapshot, RecoveryStep } from './api.js';
export { ModemError, isModemError, isCme, type ModemErrorCode, type CmeName } from './errors.js';
export { ModemOptionsSchema, resolveModemOptions, type ModemOptions, type ResolvedModemOptions } from './options.js';
/** Why an APN / a SIM PIN cannot go into a command (or null): for the agent's config schema. */
export { apnProblem, pinProblem } from './huawei/commands.js';

/**
 * Builds the modem (validating `options`; a bad APN or PIN throws ModemError `invalid-option`).
 * Nothing happens until `start()`.
 */
export function createModem(options: ModemOptions): Modem {
  return new ModemRunner(resolveModemOptions(options));
}
