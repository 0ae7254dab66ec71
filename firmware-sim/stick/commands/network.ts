// The radio network and power: +CSQ, +CREG, +CGREG, +COPS, ^SYSINFO, +CFUN.
// Formats: 3GPP TS 27.007 §7.2 (+CREG: <n>,<stat>[,<lac>,<ci>]), §7.3 (+COPS: <mode>[,<format>,
// <oper>,<AcT>]), §8.5 (+CSQ: <rssi>,<ber>), §10.1.20 (+CGREG); ^SYSINFO as ModemManager's
// Huawei tests capture it (`^SYSINFO:2,3,0,5,1,,4`: no space, empty lock field).
import { tag } from '../format.js';
import { rssi, sysinfo, copsAct } from '../network.js';
import { cme } from '../results.js';
import { simRefusal } from '../sim-card.js';
import { fail, intArg, ok, type CommandContext, type CommandSpec, type CommandTable } from './types.js';

function registrationCommand(which: 'CREG' | 'CGREG'): CommandSpec {
  return {
    latency: 'local',
    run(cmd, ctx) {
      const settings = ctx.model.settings;
      const mode = which === 'CREG' ? settings.cregMode : settings.cgregMode;
      if (cmd.kind === 'read') return ok(`+${which}: ${ctx.model.registrationQuery(mode)}`);
      if (cmd.kind === 'test') return ok(`+${which}: (0-2)`);
      const n = cmd.kind === 'exec' ? 0 : intArg(cmd.args[0], 0, 2);
      if (n === null) return fail();
      if (which === 'CREG') settings.cregMode = n;
      else settings.cgregMode = n;
      return ok();
    },
  };
}

function operatorName(ctx: CommandContext): string {
  const format = ctx.model.settings.copsFormat;
  return format === 2 ? ctx.config.operatorNumeric : format === 1 ? ctx.config.operatorShort : ctx.config.operatorName;
}

const cops: CommandSpec = {
  latency: (cmd) => (cmd.kind === 'test' ? 'copsScan' : cmd.kind === 'set' && cmd.args[0] !== '3' ? 'copsSet' : 'local'),
  run(cmd, ctx) {
    const model = ctx.model;
    const c = ctx.config;
    if (cmd.kind === 'read') {
      const mode = model.deregistered ? 2 : 0;
      const reg = model.registration();
      if (reg !== 'home' && reg !== 'roaming') return ok(`+COPS: ${mode}`);
      return ok(`+COPS: ${mode},${model.settings.copsFormat},"${operatorName(ctx)}",${copsAct(model.technology)}`);
    }
    if (cmd.kind === 'test') {
      const found = model.cfun === 1 && model.signalDbm !== null ? `(2,"${c.operatorName}","${c.operatorShort}","${c.operatorNumeric}",${copsAct(model.technology)}),` : '';
      return ok(`+COPS: ${found},(0,1,2,3,4),(0,1,2)`);
    }
    if (cmd.kind !== 'set') return fail();
    const mode = intArg(cmd.args[0], 0, 4);
    if (mode === null) return fail();
    if (mode === 3) {
      const format = intArg(cmd.args[1], 0, 2);
      if (format === null) return fail();
      model.settings.copsFormat = format;
      return ok();
    }
    const refusal = simRefusal(model.sim);
    if (refusal !== null) return fail(cme(refusal));
    if (mode === 1 || mode === 4) {
      const wanted = cmd.args[2] ?? '';
      if (wanted !== c.operatorNumeric && wanted !== c.operatorName && wanted !== c.operatorShort) return fail(cme(111));
    }
    const deregister = mode === 2;
    model.change(() => {
      model.deregistered = deregister;
    });
    if (!deregister && model.signalDbm === null) return fail(cme(30));
    return ok();
  },
};

const cfun: CommandSpec = {
  latency: (cmd) => (cmd.kind === 'set' && cmd.args[1] !== '1' ? 'cfun' : 'local'),
  run(cmd, ctx) {
    const model = ctx.model;
    if (cmd.kind === 'read') return ok(`+CFUN: ${model.cfun}`);
    if (cmd.kind === 'test') return ok('+CFUN: (0,1,4,7),(0-1)');
    if (cmd.kind !== 'set') return fail();
    const fun = intArg(cmd.args[0], 0, 7);
    const reset = cmd.args[1] === undefined || cmd.args[1] === '' ? 0 : intArg(cmd.args[1], 0, 1);
    if (fun === null || reset === null || ![0, 1, 4, 7].includes(fun)) return fail();
    if (reset === 1) {
      if (fun !== 1) return fail(cme(3));
      return { lines: [], final: { kind: 'OK' }, then: () => ctx.restart() };
    }
    model.change(() => {
      model.cfun = fun === 7 ? 4 : fun;
    });
    return ok();
  },
};

export const NETWORK_COMMANDS: CommandTable = {
  '+CSQ': {
    latency: 'local',
    run(cmd, ctx) {
      if (cmd.kind === 'test') return ok('+CSQ: (0-31,99),(0-7,99)');
      if (cmd.kind !== 'exec') return fail();
      return ok(`+CSQ: ${rssi(ctx.model.view())},99`);
    },
  },
  '+CREG': registrationCommand('CREG'),
  '+CGREG': registrationCommand('CGREG'),
  '+COPS': cops,
  '^SYSINFO': {
    latency: 'local',
    run(cmd, ctx) {
      if (cmd.kind === 'test') return ok();
      if (cmd.kind !== 'exec') return fail();
      const s = sysinfo(ctx.model.view(), ctx.model.simStateValue());
      const head = `${s.srvStatus},${s.srvDomain},${s.roam},${s.sysMode},${s.simState}`;
      const body = ctx.config.quirks.sysinfo === 'full' ? `${head},,${s.submode}` : head;
      return ok(tag(ctx.config.quirks, '^SYSINFO', body));
    },
  },
  '+CFUN': cfun,
};
