// Huawei data counters: ^DSFLOWQRY / ^DSFLOWCLR and the ^DSFLOWRPT report. Format (HARDWARE.md;
// captures in public Huawei scripts such as `^DSFLOWRPT:0000240E,00000000,00000000,
// 00000000000AD023,00000000002FA192,0003E800,0003E800`): seconds as 8 hex digits, byte counts
// as 16, rates in bytes/s as 8.
import type { StickConfig } from '../config.js';
import { hex, tag } from '../format.js';
import type { StickModel } from '../model.js';
import { fail, ok, type CommandTable } from './types.js';

export function dsflowReport(model: StickModel, config: StickConfig): string | null {
  const session = model.session;
  if (!session) return null;
  const q = config.quirks;
  const c = model.readCounters();
  const txRate = session.negotiated.upKbps * 125 * model.load.up;
  const rxRate = session.negotiated.downKbps * 125 * model.load.down;
  const fields = [
    hex(q, c.lastSeconds, 8),
    hex(q, txRate, 8),
    hex(q, rxRate, 8),
    hex(q, c.lastTx, 16),
    hex(q, c.lastRx, 16),
    hex(q, session.negotiated.upKbps * 125, 8),
    hex(q, session.negotiated.downKbps * 125, 8),
  ];
  return tag(q, '^DSFLOWRPT', fields.join(','));
}

export const FLOW_COMMANDS: CommandTable = {
  '^DSFLOWQRY': {
    latency: 'local',
    run(cmd, ctx) {
      if (cmd.kind === 'test') return ok();
      if (cmd.kind !== 'exec') return fail();
      const q = ctx.config.quirks;
      const c = ctx.model.readCounters();
      const fields = [hex(q, c.lastSeconds, 8), hex(q, c.lastTx, 16), hex(q, c.lastRx, 16), hex(q, c.totalSeconds, 8), hex(q, c.totalTx, 16), hex(q, c.totalRx, 16)];
      return ok(tag(q, '^DSFLOWQRY', fields.join(',')));
    },
  },
  '^DSFLOWCLR': {
    latency: 'local',
    run(cmd, ctx) {
      if (cmd.kind === 'test') return ok();
      if (cmd.kind !== 'exec') return fail();
      ctx.model.clearCounters();
      return ok();
    },
  },
};
