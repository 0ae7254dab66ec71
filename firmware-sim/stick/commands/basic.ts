// Identity and settings: E, V, Q, Z, &F, S-registers, I, +CGMI/+CGMM/+CGMR/+CGSN (and their
// +G… aliases), +GCAP, +CMEE, ^CURC. Formats as a Huawei E173 prints them (ATI block as in
// published E173 dumps; 3GPP TS 27.007 §5 for the +CG… answers: the bare value).
import { tag } from '../format.js';
import { fail, intArg, ok, type CommandSpec, type CommandTable } from './types.js';

const flag = (apply: (on: boolean, ctx: Parameters<CommandSpec['run']>[1]) => void): CommandSpec => ({
  latency: 'local',
  run(cmd, ctx) {
    const value = cmd.args[0] ?? '0';
    if (value !== '0' && value !== '1') return fail();
    apply(value === '1', ctx);
    return ok();
  },
});

const identity = (pick: (ctx: Parameters<CommandSpec['run']>[1]) => string): CommandSpec => ({
  latency: 'local',
  run(cmd, ctx) {
    if (cmd.kind === 'test') return ok();
    if (cmd.kind !== 'exec') return fail();
    return ok(pick(ctx));
  },
});

const manufacturer = identity((ctx) => ctx.config.identity.manufacturer);
const model = identity((ctx) => ctx.config.identity.model);
const revision = identity((ctx) => ctx.config.identity.revision);
const imei = identity((ctx) => ctx.config.identity.imei);

const reset: CommandSpec = {
  latency: 'local',
  run(_cmd, ctx) {
    ctx.model.resetSettings();
    return ok();
  },
};

export const BASIC_COMMANDS: CommandTable = {
  E: flag((on, ctx) => {
    ctx.model.settings.echo = on;
  }),
  V: flag((on, ctx) => {
    ctx.model.settings.verbose = on;
  }),
  Q: flag(() => {}), // quiet mode is accepted and ignored (results are always sent)
  Z: reset,
  '&F': reset,
  '&C': { latency: 'local', run: () => ok() },
  '&D': { latency: 'local', run: () => ok() },
  '&W': { latency: 'local', run: () => ok() },
  I: {
    latency: 'local',
    run(_cmd, ctx) {
      const id = ctx.config.identity;
      return ok(`Manufacturer: ${id.manufacturer}`, `Model: ${id.model}`, `Revision: ${id.revision}`, `IMEI: ${id.imei}`, '+GCAP: +CGSM,+DS,+ES');
    },
  },
  '+CGMI': manufacturer,
  '+GMI': manufacturer,
  '+CGMM': model,
  '+GMM': model,
  '+CGMR': revision,
  '+GMR': revision,
  '+CGSN': imei,
  '+GSN': imei,
  '+GCAP': identity(() => '+GCAP: +CGSM,+DS,+ES'),
  '+CMEE': {
    latency: 'local',
    run(cmd, ctx) {
      if (cmd.kind === 'read') return ok(`+CMEE: ${ctx.model.settings.cmee}`);
      if (cmd.kind === 'test') return ok('+CMEE: (0-2)');
      const n = cmd.kind === 'exec' ? 0 : intArg(cmd.args[0], 0, 2);
      if (n === null) return fail();
      ctx.model.settings.cmee = n as 0 | 1 | 2;
      return ok();
    },
  },
  '^CURC': {
    latency: 'local',
    run(cmd, ctx) {
      const q = ctx.config.quirks;
      if (cmd.kind === 'read') return ok(tag(q, '^CURC', ctx.model.settings.curc ? '1' : '0'));
      if (cmd.kind === 'test') return ok(tag(q, '^CURC', '(0-1)'));
      const n = intArg(cmd.args[0], 0, 1);
      if (cmd.kind !== 'set' || n === null) return fail();
      ctx.model.settings.curc = n === 1;
      return ok();
    },
  },
};

/** S-registers: S3 (CR), S4 (LF), S5 (BS) and the rest, stored but without effect. */
export function sRegister(index: number): CommandSpec {
  return {
    latency: 'local',
    run(cmd) {
      const defaults: Record<number, number> = { 0: 0, 3: 13, 4: 10, 5: 8, 7: 50, 12: 50 };
      if (cmd.kind === 'read') return ok(String(defaults[index] ?? 0).padStart(3, '0'));
      if (cmd.kind === 'set') return intArg(cmd.args[0], 0, 255) === null ? fail() : ok();
      return ok();
    },
  };
}
