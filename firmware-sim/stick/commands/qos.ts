// Rates of the data context: +CGEQREQ (requested), +CGEQNEG (negotiated, active contexts only),
// +CGCMOD (apply a new request to an active context). Formats: 3GPP TS 27.007 §10.1.6/§10.1.7/
// §10.1.11 (`+CGEQNEG: <cid>,<class>,<maxUL>,<maxDL>,<gUL>,<gDL>,<order>,<SDU>,<SDUerr>,<BER>,
// <delErr>,<delay>,<THP>`); the network side (grid, caps) is in ../rates.ts.
import { cme } from '../results.js';
import { fail, intArg, ok, type CommandContext, type CommandSpec, type CommandTable } from './types.js';

const MAX_RATE = 256000;

/** Cids named in a set command, or every active one for exec. */
function cidsOf(cmd: Parameters<CommandSpec['run']>[0], ctx: CommandContext): number[] | null {
  if (cmd.kind === 'exec') return ctx.model.session ? [ctx.model.session.cid] : [];
  const cids = cmd.args.map((a) => intArg(a, 1, 16));
  return cids.every((c): c is number => c !== null) ? cids : null;
}

const cgeqreq: CommandSpec = {
  latency: 'local',
  run(cmd, ctx) {
    const requested = ctx.model.requested;
    if (cmd.kind === 'test') return ok('+CGEQREQ: "IP",(0-4),(0-256000),(0-256000),(0-256000),(0-256000),(0-2),(0-1520),("0E0","1E2","7E3","1E3","1E4","1E5","1E6"),("0E0","5E2","1E2","5E3","4E3","1E3","1E4","1E5","1E6","6E8"),(0-3),(0,100-4000),(0-3)');
    if (cmd.kind === 'read') {
      const lines = [...requested.entries()].sort(([a], [b]) => a - b).map(([cid, r]) => `+CGEQREQ: ${cid},${r.trafficClass},${r.upKbps},${r.downKbps},0,0,0,0,"0E0","0E0",3,0,0`);
      return ok(...lines);
    }
    if (cmd.kind !== 'set') return fail();
    const cid = intArg(cmd.args[0], 1, 16);
    if (cid === null) return fail();
    if (cmd.args.length === 1) {
      requested.delete(cid); // back to the subscribed profile
      return ok();
    }
    const optional = (value: string | undefined, max: number, fallback: number): number | null => (value === undefined || value === '' ? fallback : intArg(value, 0, max));
    const trafficClass = optional(cmd.args[1], 4, 4);
    const upKbps = optional(cmd.args[2], MAX_RATE, 0);
    const downKbps = optional(cmd.args[3], MAX_RATE, 0);
    if (trafficClass === null || upKbps === null || downKbps === null) return fail();
    requested.set(cid, { trafficClass, upKbps, downKbps });
    return ok();
  },
};

const cgeqneg: CommandSpec = {
  latency: 'local',
  run(cmd, ctx) {
    const session = ctx.model.session;
    if (cmd.kind === 'test') return ok(`+CGEQNEG: (${session ? session.cid : ''})`);
    if (cmd.kind === 'read') return fail();
    const cids = cidsOf(cmd, ctx);
    if (cids === null) return fail();
    ctx.model.accrue();
    const lines: string[] = [];
    for (const cid of cids) {
      if (!session || session.cid !== cid) continue; // inactive contexts have nothing negotiated
      const trafficClass = session.applied && session.applied.trafficClass < 4 ? session.applied.trafficClass : 2;
      lines.push(`+CGEQNEG: ${cid},${trafficClass},${session.negotiated.upKbps},${session.negotiated.downKbps},0,0,0,1500,"1E4","1E5",3,0,0`);
    }
    return ok(...lines);
  },
};

const cgcmod: CommandSpec = {
  latency: (cmd) => (cmd.kind === 'test' ? 'local' : 'modify'),
  run(cmd, ctx) {
    const model = ctx.model;
    if (cmd.kind === 'test') return ok(`+CGCMOD: (${model.session ? model.session.cid : ''})`);
    if (cmd.kind === 'read') return fail();
    const cids = cidsOf(cmd, ctx);
    if (cids === null) return fail();
    const session = model.session;
    if (cids.length === 0 || !session || cids.some((cid) => cid !== session.cid)) return fail(cme(3));
    model.change(() => {
      session.applied = model.requested.get(session.cid) ?? null;
    });
    return ok();
  },
};

export const QOS_COMMANDS: CommandTable = {
  '+CGEQREQ': cgeqreq,
  '+CGEQNEG': cgeqneg,
  '+CGCMOD': cgcmod,
};
