// The modem's jobs (init, SIM, setup, poll, dial, …) against a stick that answers every command
// with a mutated real reply, a wrong final result, or nothing: each job ends with a well-typed
// result in its domain or a ModemError (what the machine climbs its recovery ladder on), never
// a TypeError or a value the status schema would refuse.
import fc from 'fast-check';
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { RegistrationSchema, TechnologySchema } from '../../../shared/contract/messages.js';
import { silentLogger } from '../../../shared/log.js';
import { AtChannel } from '../../../agent/modem/channel/at-channel.js';
import { ModemError } from '../../../agent/modem/errors.js';
import { runJob, type JobContext } from '../../../agent/modem/jobs.js';
import type { Job, JobResult } from '../../../agent/modem/machine/types.js';
import { resolveModemOptions } from '../../../agent/modem/options.js';
import { flush, ScriptedPort } from '../../agent/modem/helpers/scripted-port.js';
import { ALL_LINES, FINALS, framed, REPLIES } from '../helpers/at-corpus.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { lineMutation, mutateLine, type LineMutation } from '../helpers/mutate.js';

const JOBS: readonly Job['kind'][] = ['init', 'sim', 'unlock', 'setup', 'poll', 're-register', 'restart', 'dial', 'session', 'hangup', 'negotiated'];

/** How the stick answers one command: a real reply (maybe mutated), another command's, or nothing. */
type Answer =
  | { readonly kind: 'real'; readonly variant: number; readonly mutations: readonly LineMutation[]; readonly final: string }
  | { readonly kind: 'other'; readonly line: string; readonly final: string }
  | { readonly kind: 'silent' };

const answer: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('real' as const), variant: fc.nat(), mutations: fc.array(lineMutation, { maxLength: 2 }), final: fc.constantFrom('OK', 'OK', 'OK', ...FINALS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('other' as const), line: fc.constantFrom(...ALL_LINES), final: fc.constantFrom(...FINALS) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'silent' as const }) },
);

function reply(command: string, a: Answer): string | null {
  if (a.kind === 'silent') return null;
  if (a.kind === 'other') return framed(a.line, a.final);
  const variants = REPLIES[command] ?? [[]];
  const lines = variants[a.variant % variants.length]!.map((line) => mutateLine(line, a.mutations));
  return framed(...lines, a.final);
}

const dbmOk = (dbm: number | null) => dbm === null || (Number.isInteger(dbm) && dbm >= -113 && dbm <= -51);
const registration = (r: unknown) => r === null || RegistrationSchema.safeParse(r).success;
const technology = (r: unknown) => r === null || TechnologySchema.safeParse(r).success;

/** Why a job's result is outside what the machine and the status schema take, or null. */
function problemWith(result: JobResult): string | null {
  switch (result.kind) {
    case 'init': {
      const { manufacturer, model, imei } = result.identity;
      if (imei !== null && !/^\d{14,17}$/.test(imei)) return `imei ${imei}`;
      for (const text of [manufacturer, model]) if (text !== null && !/^[\x20-\x7e]+$/.test(text)) return `identity text ${JSON.stringify(text)}`;
      return null;
    }
    case 'sim':
      return ['ready', 'pin', 'puk', 'busy', 'absent', 'failure'].includes(result.sim) ? null : `sim ${result.sim}`;
    case 'setup':
    case 'poll':
    case 're-register': {
      const r = result.report;
      if (!registration(r.cs) || !registration(r.ps) || !technology(r.technology) || !dbmOk(r.signalDbm)) return JSON.stringify(r);
      if (r.session !== null && typeof r.session !== 'boolean') return JSON.stringify(r);
      return null;
    }
    case 'session':
      return typeof result.connected === 'boolean' ? null : 'connected';
    case 'negotiated': {
      const rates = result.rates;
      const ok = (n: number) => Number.isSafeInteger(n) && n >= 0 && n <= 16_000;
      return rates === null || (ok(rates.downKbps) && ok(rates.upKbps)) ? null : JSON.stringify(rates);
    }
    default:
      return null;
  }
}

t.test('every job ends with a result in its domain or a ModemError, whatever the stick answers', async (t) => {
  await fuzz(
    t,
    'jobs over a stick answering mutated replies',
    fc.asyncProperty(fc.constantFrom(...JOBS), fc.array(answer, { minLength: 1, maxLength: 24 }), fc.boolean(), async (kind, answers, asked) => {
      const clock = new TestClock();
      let turn = 0;
      const port = new ScriptedPort((command) => reply(command, answers[turn++ % answers.length]!));
      const options = resolveModemOptions({ devicePath: '/dev/x', apn: 'internet', clock, logger: silentLogger() });
      const ctx: JobContext = {
        channel: new AtChannel(port, { clock, logger: silentLogger() }),
        apn: 'internet',
        pin: '4711',
        timeouts: options.timeouts,
        resetCommand: 'restart',
        requestedRates: () => (asked ? { downKbps: 3584, upKbps: 1408 } : null),
        told: { cregMode: 2 },
        logger: silentLogger(),
      };
      type Outcome = { ok: true; result: JobResult } | { ok: false; error: unknown };
      const box: { outcome: Outcome | null } = { outcome: null };
      runJob({ kind } as Job, ctx).then(
        (result) => (box.outcome = { ok: true, result }),
        (error: unknown) => (box.outcome = { ok: false, error }),
      );
      // Let the silent commands run out their budgets (the longest is +COPS=0's 120 s).
      for (let i = 0; i < 200 && box.outcome === null; i++) {
        await flush(3);
        if (box.outcome === null) clock.advance(10_000);
      }
      const done = box.outcome;
      expect(done !== null, `${kind} never ended`);
      if (!done.ok) {
        expect(done.error instanceof ModemError, () => `${kind} failed with ${String(done.error)}, not a ModemError`);
        return;
      }
      expect(done.result.kind === kind, `${kind} answered as ${done.result.kind}`);
      const problem = problemWith(done.result);
      expect(problem === null, () => `${kind}: ${problem}`);
    }),
    400,
  );
});
