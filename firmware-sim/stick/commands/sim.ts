// The SIM: +CPIN (27.007 §8.3: READY / SIM PIN / SIM PUK; PIN, or PUK and a new PIN), Huawei's
// ^CPIN (tries left: `^CPIN: <code>,[<times>],<puk_times>,<pin_times>,<puk2_times>,<pin2_times>`,
// Huawei MU509/EM770W AT references) and +CIMI.
import { cme, type FinalResult } from '../results.js';
import { enterPin, enterPuk, simRefusal, type SimCard } from '../sim-card.js';
import type { StickModel } from '../model.js';
import { fail, ok, type CommandTable } from './types.js';

/** CME 14 while the SIM initialises after power-up. */
function busy(model: StickModel): FinalResult | null {
  return model.sim.lock.kind !== 'removed' && model.now() < model.simBusyUntil ? cme(14) : null;
}

function lockText(card: SimCard): string | null {
  switch (card.lock.kind) {
    case 'ready':
      return 'READY';
    case 'pin':
      return 'SIM PIN';
    case 'puk':
      return 'SIM PUK';
    default:
      return null;
  }
}

export const SIM_COMMANDS: CommandTable = {
  '+CPIN': {
    latency: (cmd) => (cmd.kind === 'set' ? 'simVerify' : 'simQuery'),
    run(cmd, ctx) {
      const model = ctx.model;
      if (cmd.kind === 'test') return ok();
      const isBusy = busy(model);
      if (isBusy) return fail(isBusy);
      if (cmd.kind === 'read') {
        const text = lockText(model.sim);
        return text ? ok(`+CPIN: ${text}`) : fail(cme(simRefusal(model.sim) ?? 13));
      }
      if (cmd.kind !== 'set' || !cmd.args[0]) return fail();
      const [first, second] = cmd.args;
      const outcome = second !== undefined && second !== '' ? enterPuk(model.sim, first, second) : enterPin(model.sim, first);
      model.change(() => {
        model.sim = outcome.card;
      });
      return outcome.ok ? ok() : fail(cme(outcome.code));
    },
  },
  '^CPIN': {
    latency: 'simQuery',
    run(cmd, ctx) {
      const model = ctx.model;
      if (cmd.kind === 'test') return ok();
      if (cmd.kind !== 'read') return fail();
      const isBusy = busy(model);
      if (isBusy) return fail(isBusy);
      const card = model.sim;
      const text = lockText(card);
      if (!text) return fail(cme(simRefusal(card) ?? 13));
      const times = card.lock.kind === 'pin' ? String(card.pinTriesLeft) : card.lock.kind === 'puk' ? String(card.pukTriesLeft) : '';
      return ok(`^CPIN: ${text},${times},${card.pukTriesLeft},${card.pinTriesLeft},10,3`);
    },
  },
  '+CIMI': {
    latency: 'simQuery',
    run(cmd, ctx) {
      if (cmd.kind === 'test') return ok();
      const refusal = busy(ctx.model) ?? (simRefusal(ctx.model.sim) === null ? null : cme(simRefusal(ctx.model.sim)!));
      return refusal ? fail(refusal) : ok(ctx.config.identity.imsi);
    },
  },
};
