// Data sessions: +CGDCONT (27.007 §10.1.1), Huawei NDIS (^NDISDUP / ^NDISSTATQRY, answers as
// in ModemManager's Huawei plugin tests: `^NDISSTAT: 1,,,"IPV4"`), PPP dial-up (ATD*99# →
// CONNECT, V.250 ATH/ATO), +CGACT and +CGEREP.
import { isRegistered } from '../network.js';
import { cme, NO_CARRIER, type FinalResult } from '../results.js';
import { simRefusal } from '../sim-card.js';
import type { StickModel } from '../model.js';
import { fail, intArg, ok, type CommandContext, type CommandSpec, type CommandTable } from './types.js';

const PDP_TYPES = ['IP', 'PPP', 'IPV6', 'IPV4V6'];

/** Why a session cannot start now, or null. */
function sessionRefusal(model: StickModel): FinalResult | null {
  if (model.sim.lock.kind !== 'removed' && model.now() < model.simBusyUntil) return cme(14);
  const sim = simRefusal(model.sim);
  if (sim !== null) return cme(sim);
  if (!isRegistered(model.view())) return cme(30);
  return null;
}

function apnAccepted(ctx: CommandContext, apn: string): boolean {
  const wanted = ctx.config.apn;
  return wanted === null || apn.toLowerCase() === wanted.toLowerCase();
}

const ndisdup: CommandSpec = {
  latency: 'local',
  run(cmd, ctx) {
    const model = ctx.model;
    if (cmd.kind === 'test') return ok('^NDISDUP: (1-16),(0-1)');
    if (cmd.kind !== 'set') return fail();
    const cid = intArg(cmd.args[0], 1, 16);
    const connect = intArg(cmd.args[1], 0, 1);
    if (cid === null || connect === null) return fail();
    if (connect === 0) {
      model.activation?.cancel();
      model.activation = null;
      if (model.session?.kind !== 'ndis') return ok();
      return { lines: [], final: { kind: 'OK' }, then: () => model.after(ctx.config.latency('deactivate'), () => model.change(() => model.dropSession('user'))) };
    }
    const refusal = sessionRefusal(model);
    if (refusal) return fail(refusal);
    if (model.session?.kind === 'ppp') return fail(cme(3));
    if (model.session) return { lines: [], final: { kind: 'OK' }, then: () => model.change(() => {}) };
    if (model.activation) return ok();
    const apn = (cmd.quoted[2] ?? false) || (cmd.args[2] ?? '') !== '' ? (cmd.args[2] ?? '') : (model.contexts.get(cid)?.apn ?? '');
    const accepted = apnAccepted(ctx, apn);
    const activate = (): void => {
      const cancel = model.after(ctx.config.latency('activate'), () => {
        model.activation = null;
        model.change(() => {
          if (!accepted) model.emit([model.ndisStat(false, 27)]); // SM cause 27: missing or unknown APN
          else if (isRegistered(model.view())) model.startSession('ndis', cid, apn);
          else model.emit([model.ndisStat(false)]);
        });
      });
      model.activation = { cid, apn, cancel };
    };
    return { lines: [], final: { kind: 'OK' }, then: activate };
  },
};

function ndisQuery(cmd: Parameters<CommandSpec['run']>[0], ctx: CommandContext): ReturnType<CommandSpec['run']> {
  if (cmd.kind === 'test') return ok();
  const up = ctx.model.session?.kind === 'ndis';
  const quirk = ctx.config.quirks.ndisStatQueryTag;
  return ok(quirk === '^NDISSTATQRY' ? `^NDISSTATQRY: ${up ? 1 : 0},,,"IPV4"` : `^NDISSTATQry:${up ? 1 : 0}`);
}

const dial: CommandSpec = {
  latency: (cmd) => (/^\*9[89]/.test(cmd.args[0] ?? '') ? 'activate' : 'local'),
  run(cmd, ctx) {
    const model = ctx.model;
    const m = /^\*9[89](?:\*{3}(\d+))?#$/.exec(cmd.args[0] ?? '');
    if (!m) return fail(NO_CARRIER); // voice and anything else: this stick does data only
    const cid = m[1] ? Number(m[1]) : 1;
    const refusal = sessionRefusal(model);
    if (refusal && refusal.kind === 'CME' && refusal.code !== 30) return fail(refusal);
    if (refusal || model.session) return fail(NO_CARRIER);
    const apn = model.contexts.get(cid)?.apn ?? '';
    if (ctx.config.apn !== null && !apnAccepted(ctx, apn)) return fail(NO_CARRIER);
    return {
      lines: [],
      final: { kind: 'CONNECT' },
      then: () => {
        model.startSession('ppp', cid, apn);
        ctx.enterDataMode();
      },
    };
  },
};

export const DATA_COMMANDS: CommandTable = {
  '+CGDCONT': {
    latency: 'local',
    run(cmd, ctx) {
      const contexts = ctx.model.contexts;
      if (cmd.kind === 'test') return ok(...PDP_TYPES.map((t) => `+CGDCONT: (1-16),"${t}",,,(0-2),(0-3)`));
      if (cmd.kind === 'read') {
        const lines = [...contexts.entries()].sort(([a], [b]) => a - b).map(([cid, c]) => `+CGDCONT: ${cid},"${c.type}","${c.apn}","0.0.0.0",0,0`);
        return ok(...lines);
      }
      if (cmd.kind !== 'set') return fail();
      const cid = intArg(cmd.args[0], 1, 16);
      if (cid === null) return fail();
      if (cmd.args.length === 1) {
        contexts.delete(cid);
        return ok();
      }
      const type = (cmd.args[1] ?? '').toUpperCase();
      if (!PDP_TYPES.includes(type)) return fail();
      contexts.set(cid, { type, apn: cmd.args[2] ?? '' });
      return ok();
    },
  },
  '^NDISDUP': ndisdup,
  '^NDISSTATQRY': { latency: 'local', run: ndisQuery },
  D: dial,
  H: {
    latency: 'local',
    run(_cmd, ctx) {
      if (ctx.model.session?.kind === 'ppp') ctx.model.change(() => ctx.model.dropSession('user'));
      return ok();
    },
  },
  O: {
    latency: 'local',
    run(_cmd, ctx) {
      if (ctx.model.session?.kind !== 'ppp' || !ctx.onlineCommandMode()) return fail(NO_CARRIER);
      return { lines: [], final: { kind: 'CONNECT' }, then: () => ctx.enterDataMode() };
    },
  },
  '+CGACT': {
    latency: (cmd) => (cmd.kind === 'set' ? 'deactivate' : 'local'),
    run(cmd, ctx) {
      const model = ctx.model;
      if (cmd.kind === 'test') return ok('+CGACT: (0,1)');
      if (cmd.kind === 'read') {
        const cids = new Set([...model.contexts.keys(), ...(model.session ? [model.session.cid] : [])]);
        return ok(...[...cids].sort((a, b) => a - b).map((cid) => `+CGACT: ${cid},${model.session?.cid === cid ? 1 : 0}`));
      }
      if (cmd.kind !== 'set') return fail();
      const state = intArg(cmd.args[0], 0, 1);
      const cid = cmd.args[1] === undefined || cmd.args[1] === '' ? null : intArg(cmd.args[1], 1, 16);
      if (state === null) return fail();
      if (state === 1) return model.session && (cid === null || model.session.cid === cid) ? ok() : fail(cme(3)); // activate with ^NDISDUP or ATD
      if (model.session && (cid === null || model.session.cid === cid)) model.change(() => model.dropSession('user'));
      return ok();
    },
  },
  '+CGEREP': {
    latency: 'local',
    run(cmd, ctx) {
      if (cmd.kind === 'read') return ok(`+CGEREP: ${ctx.model.settings.cgerep},0`);
      if (cmd.kind === 'test') return ok('+CGEREP: (0-2),(0-1)');
      const mode = cmd.kind === 'exec' ? 0 : intArg(cmd.args[0], 0, 2);
      if (mode === null) return fail();
      ctx.model.settings.cgerep = mode;
      return ok();
    },
  },
};
