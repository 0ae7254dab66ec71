// The machine's jobs carried out over the AT channel: short, fixed sequences of commands whose
// replies go through the dialect's parsers. Decisions stay in the machine; a job only reports
// what the stick said (or fails with the ModemError of the command that failed).
import type { Logger } from '../../shared/log.js';
import type { Rates } from '../../shared/service.js';
import type { ModemIdentity } from './api.js';
import type { AtChannel, CommandOptions } from './channel/at-channel.js';
import { isCme, isModemError, ModemError } from './errors.js';
import { at, CID, defineContext, enterPin, ndisUp, requestQos, type Command } from './huawei/commands.js';
import { findNdisStat, parseCgeqneg } from './huawei/data.js';
import { findTagged } from './huawei/fields.js';
import { parseAti, parseBareText, parseImei } from './huawei/identity.js';
import { isSolicitedRegistration, parseCops, parseCsq, parseRegistration, parseSysinfo } from './huawei/network.js';
import { parseCpin } from './huawei/sim.js';
import type { Job, JobResult, RadioReport, SimReading } from './machine/types.js';
import type { ModemTimeouts } from './options.js';

export interface JobContext {
  readonly channel: AtChannel;
  readonly apn: string;
  readonly pin: string | null;
  readonly timeouts: ModemTimeouts;
  /** `restart`: AT+CFUN=1,1; `radio-cycle`: AT+CFUN=0 then AT+CFUN=1. */
  readonly resetCommand: 'restart' | 'radio-cycle';
  /** The rates last asked for (already on the grid), re-sent at setup: a restarted stick forgets. */
  readonly requestedRates: () => Rates | null;
  /** What this port's stick was told at setup (one per opened port). */
  readonly told: PortMemory;
  readonly logger: Logger;
}

export interface PortMemory {
  /** The +CREG URC mode setup set (2), or null before setup or where the stick refused it. */
  cregMode: number | null;
}

export async function runJob(job: Job, ctx: JobContext): Promise<JobResult> {
  switch (job.kind) {
    case 'init':
      return { kind: 'init', identity: await init(ctx) };
    case 'sim':
      return { kind: 'sim', sim: await readSim(ctx) };
    case 'unlock':
      if (ctx.pin === null) throw new ModemError('invalid-option', 'no SIM PIN is configured');
      await send(ctx, enterPin(ctx.pin), { timeoutMs: ctx.timeouts.pinMs });
      return { kind: 'unlock' };
    case 'setup':
      await setup(ctx);
      return { kind: 'setup', report: await poll(ctx) };
    case 'poll':
      return { kind: 'poll', report: await poll(ctx) };
    case 're-register':
      await send(ctx, at.copsAutomatic, { timeoutMs: ctx.timeouts.registerMs });
      return { kind: 're-register', report: await poll(ctx) };
    case 'restart':
      if (ctx.resetCommand === 'restart') await send(ctx, at.restart, { timeoutMs: ctx.timeouts.cfunMs });
      else {
        await send(ctx, at.radioOff, { timeoutMs: ctx.timeouts.cfunMs });
        await send(ctx, at.radioOn, { timeoutMs: ctx.timeouts.cfunMs });
      }
      return { kind: 'restart' };
    case 'dial':
      await send(ctx, ndisUp(ctx.apn), { timeoutMs: ctx.timeouts.dialMs });
      return { kind: 'dial' };
    case 'session':
      return { kind: 'session', connected: await sessionUp(ctx) };
    case 'hangup':
      await send(ctx, at.ndisDown, { timeoutMs: ctx.timeouts.dialMs });
      return { kind: 'hangup' };
    case 'negotiated':
      return { kind: 'negotiated', rates: await negotiated(ctx) };
  }
}

function send(ctx: JobContext, command: string | Command, options: CommandOptions = {}) {
  const text = typeof command === 'string' ? command : command.text;
  const logAs = typeof command === 'string' ? undefined : command.logAs;
  return ctx.channel.send(text, { timeoutMs: ctx.timeouts.commandMs, ...(logAs ? { logAs } : {}), ...options });
}

/** Runs a command whose failure (other than a timeout or a closed port) does not matter. */
async function optional(ctx: JobContext, command: string | Command, options: CommandOptions = {}): Promise<readonly string[] | null> {
  try {
    return (await send(ctx, command, options)).lines;
  } catch (error) {
    if (isModemError(error, 'timeout') || isModemError(error, 'closed')) throw error;
    ctx.logger.debug({ command: typeof command === 'string' ? command : (command.logAs ?? command.text), err: (error as Error).message }, 'optional command refused');
    return null;
  }
}

async function init(ctx: JobContext): Promise<ModemIdentity> {
  await send(ctx, at.echoOff);
  await send(ctx, at.verbose);
  await send(ctx, at.cmeeNumeric);
  await optional(ctx, at.curcOn);
  const ati = parseAti((await optional(ctx, at.identity)) ?? []);
  const manufacturer = ati.manufacturer ?? parseBareText((await optional(ctx, at.manufacturer)) ?? [], '+CGMI');
  const model = ati.model ?? parseBareText((await optional(ctx, at.model)) ?? [], '+CGMM');
  const imei = ati.imei ?? parseImei((await optional(ctx, at.imei)) ?? []);
  return { manufacturer, model, imei };
}

/** +CPIN?, with the SIM's +CME errors read as SIM states rather than failures. */
async function readSim(ctx: JobContext): Promise<SimReading> {
  try {
    const reply = parseCpin((await send(ctx, at.pinQuery)).lines);
    if (!reply) throw new ModemError('bad-reply', 'AT+CPIN?: no +CPIN line in the reply', { command: at.pinQuery });
    return reply.status === 'other' ? 'failure' : reply.status;
  } catch (error) {
    if (isCme(error, 'sim-not-inserted')) return 'absent';
    if (isCme(error, 'sim-busy')) return 'busy';
    if (isCme(error, 'sim-pin-required')) return 'pin';
    if (isCme(error, 'sim-puk-required')) return 'puk';
    if (isCme(error, 'sim-failure')) return 'failure';
    throw error;
  }
}

async function setup(ctx: JobContext): Promise<void> {
  ctx.told.cregMode = (await optional(ctx, at.cregReports)) === null ? null : 2;
  await optional(ctx, at.cgregReports);
  await optional(ctx, at.copsLongAlpha);
  await send(ctx, defineContext(ctx.apn));
  const rates = ctx.requestedRates();
  if (rates) await optional(ctx, requestQos(rates));
}

/** Registration, operator, technology, signal and session in one pass. */
async function poll(ctx: JobContext): Promise<RadioReport> {
  const claims = { claims: isSolicitedRegistration };
  const creg = await optional(ctx, at.cregQuery, claims);
  const cgreg = await optional(ctx, at.cgregQuery, claims);
  const cops = await optional(ctx, at.copsQuery);
  const sysinfo = await optional(ctx, at.sysinfo);
  const csq = await optional(ctx, at.csq);
  const ndis = await optional(ctx, at.ndisQuery);
  if (creg === null && csq === null) throw new ModemError('error', 'the stick refuses +CREG? and +CSQ', { command: at.cregQuery });

  const registrationIn = (lines: readonly string[] | null, tag: string) => {
    const found = lines ? findTagged(lines, tag) : null;
    return found ? parseRegistration(found.line) : null;
  };
  const cs = registrationIn(creg, '+CREG');
  const restarted = ctx.told.cregMode !== null && cs?.mode != null && cs.mode !== ctx.told.cregMode;
  const copsLine = cops ? findTagged(cops, '+COPS') : null;
  const operator = copsLine ? parseCops(copsLine.line) : null;
  const sysinfoLine = sysinfo ? findTagged(sysinfo, '^SYSINFO') : null;
  const system = sysinfoLine ? parseSysinfo(sysinfoLine.line) : null;
  const csqLine = csq ? findTagged(csq, '+CSQ') : null;
  const signal = csqLine ? parseCsq(csqLine.line) : null;
  return {
    cs: cs?.registration ?? null,
    ps: registrationIn(cgreg, '+CGREG')?.registration ?? null,
    operator: operator?.operator ?? null,
    technology: system ? system.technology : (operator?.technology ?? null),
    signalDbm: signal?.dbm ?? null,
    session: ndis ? (findNdisStat(ndis)?.connected ?? null) : null,
    ...(restarted ? { restarted } : {}),
  };
}

async function sessionUp(ctx: JobContext): Promise<boolean> {
  const status = findNdisStat((await send(ctx, at.ndisQuery)).lines);
  if (!status) throw new ModemError('bad-reply', 'AT^NDISSTATQRY?: no ^NDISSTATQRY line in the reply', { command: at.ndisQuery });
  return status.connected;
}

/**
 * +CGEQNEG after a connect. A network never grants more than was asked, so a grant above the
 * rates last asked for means the request came too late for this activation (asked while the
 * dial was under way): modify the context (+CGCMOD) and read again.
 */
async function negotiated(ctx: JobContext): Promise<Rates | null> {
  const read = async () => parseCgeqneg((await send(ctx, at.negotiated)).lines, CID);
  const granted = await read();
  const asked = ctx.requestedRates();
  if (!granted || !asked || (granted.downKbps <= asked.downKbps && granted.upKbps <= asked.upKbps)) return granted;
  ctx.logger.info({ granted, asked }, 'rates asked during the dial: modifying the context');
  await send(ctx, requestQos(asked));
  await send(ctx, at.modify, { timeoutMs: ctx.timeouts.modifyMs });
  return read();
}
