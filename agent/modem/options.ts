// createModem's options: one zod schema, defaults in one place, the APN and PIN checked so
// that nothing built from them can end a command or chain a second one.
import { z } from 'zod';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { OpenPort } from './channel/port.js';
import { ModemError } from './errors.js';
import { apnProblem, pinProblem } from './huawei/commands.js';

const ms = (fallback: number) => z.number().int().min(0).max(3_600_000).default(fallback);
const positiveMs = (fallback: number) => z.number().int().min(1).max(3_600_000).default(fallback);

/** Budgets per command (ModemManager's where it has one, HARDWARE.md). */
export const TimeoutsSchema = z
  .object({
    /** Queries and settings answered from the stick's own state. */
    commandMs: positiveMs(3000),
    /** +CPIN=<pin>: the SIM runs VERIFY CHV. */
    pinMs: positiveMs(10_000),
    /** +COPS=0 (ModemManager: 120 s). */
    registerMs: positiveMs(120_000),
    /** +CFUN (ModemManager: 5 s). */
    cfunMs: positiveMs(5000),
    /** ^NDISDUP to answer OK (ModemManager: 3 s); the session itself: `timing.connectTimeoutMs`. */
    dialMs: positiveMs(3000),
    /** +CGCMOD: a MODIFY PDP CONTEXT round trip with the network. */
    modifyMs: positiveMs(10_000),
  })
  .prefault({});

export const TimingSchema = z
  .object({
    /** How often a missing device path is tried again (after an unplug). */
    devicePollMs: positiveMs(500),
    /** Health and signal poll while registered or connected (warm standby, R2). */
    standbyPollMs: positiveMs(15_000),
    /** Poll while searching for the network. */
    searchPollMs: positiveMs(2000),
    /** ^NDISSTATQRY? while waiting for the session (in case ^NDISSTAT: 1 is missed). */
    connectPollMs: positiveMs(1000),
    /** A session not up this long after ^NDISDUP is aborted and redialled (ModemManager: 180 s). */
    connectTimeoutMs: positiveMs(60_000),
    /** Searching this long climbs the ladder (re-register, then a reset). */
    registerTimeoutMs: positiveMs(90_000),
    /** After +CFUN=1,1 on a stick whose port stays: wait before talking to it again. */
    settleMs: ms(3000),
    /** SIM busy (+CME ERROR: 14) after power-up: ask again after this. */
    simRetryMs: positiveMs(1000),
    /** A locked or absent SIM is looked at again this often (a SIM swap). */
    simRecheckMs: positiveMs(60_000),
  })
  .prefault({});

export const RecoverySchema = z
  .object({
    backoff: z
      .object({ initialMs: ms(1000), factor: z.number().min(1).max(10).default(2), maxMs: ms(60_000) })
      .prefault({}),
    /** Attempts per rung before the next; reopen repeats without limit. */
    attempts: z
      .object({
        reQuery: z.number().int().min(0).max(100).default(2),
        reRegister: z.number().int().min(0).max(100).default(1),
        cfunReset: z.number().int().min(0).max(100).default(2),
      })
      .prefault({}),
    /** ModemManager gives up on a port after 10 timeouts in a row: straight to reopen. */
    maxTimeoutsInARow: z.number().int().min(1).max(1000).default(10),
    /** Failed connects in a row before the ladder (from re-register). */
    connectFailuresBeforeLadder: z.number().int().min(1).max(100).default(3),
    /** How cfun-reset restarts the stick. */
    resetCommand: z.enum(['restart', 'radio-cycle']).default('restart'),
  })
  .prefault({});

const configValue = (what: string, problem: (value: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: 'custom', message: `${what} ${why}` });
  });

export const ModemOptionsSchema = z.object({
  /** The stick's serial device (`/dev/ttyUSB0`, or the simulator's path). */
  devicePath: z.string().min(1),
  /** SIM PIN, sent once when the SIM asks; never again after the SIM refused it. */
  pin: configValue('the SIM PIN', pinProblem).nullable().default(null),
  apn: configValue('the APN', apnProblem),
  clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function' && typeof (v as Clock).setTimeout === 'function', 'a Clock'),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).child === 'function', 'a pino Logger'),
  timeouts: TimeoutsSchema,
  timing: TimingSchema,
  recovery: RecoverySchema,
  /** How the device is opened; defaults to serialport. Tests of the pure core may pass a fake. */
  openPort: z.custom<OpenPort>((v) => typeof v === 'function', 'a function').optional(),
});

export type ModemOptions = z.input<typeof ModemOptionsSchema>;
export type ResolvedModemOptions = z.output<typeof ModemOptionsSchema>;
export type ModemTimeouts = ResolvedModemOptions['timeouts'];

/** Validates and fills in defaults; a bad value throws ModemError `invalid-option` naming it. */
export function resolveModemOptions(options: ModemOptions): ResolvedModemOptions {
  const parsed = ModemOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(options)'}: ${issue.message}`);
  throw new ModemError('invalid-option', `invalid modem options: ${problems.join('; ')}`);
}
