// The machine's jobs over the AT channel, against a scripted stick (the pure core's fake):
// what each sends and how it reads the replies.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import { AtChannel } from '../../../agent/modem/channel/at-channel.js';
import { runJob, type JobContext } from '../../../agent/modem/jobs.js';
import { resolveModemOptions } from '../../../agent/modem/options.js';
import type { Rates } from '../../../shared/service.js';
import { framed, ScriptedPort, type Script } from './helpers/scripted-port.js';

function context(script: Script, requested: Rates | null = null, pin: string | null = null) {
  const port = new ScriptedPort(script);
  const clock = new TestClock();
  const options = resolveModemOptions({ devicePath: '/dev/x', apn: 'internet', clock, logger: silentLogger() });
  const ctx: JobContext = {
    channel: new AtChannel(port, { clock, logger: silentLogger() }),
    apn: 'internet',
    pin,
    timeouts: options.timeouts,
    resetCommand: 'restart',
    requestedRates: () => requested,
    told: { cregMode: null },
    logger: silentLogger(),
  };
  return { port, ctx };
}

t.test('init: echo off, verbose, numeric errors, URCs, identity from ATI', async (t) => {
  const { port, ctx } = context((c) =>
    c === 'ATI' ? framed('Manufacturer: huawei', 'Model: E173', 'Revision: 11.126', 'IMEI: 353142040000003', 'OK') : `${c}\r${framed('OK')}`,
  );
  const result = await runJob({ kind: 'init' }, ctx);
  t.same(result, { kind: 'init', identity: { manufacturer: 'huawei', model: 'E173', imei: '353142040000003' } });
  t.same(port.written, ['ATE0', 'ATV1', 'AT+CMEE=1', 'AT^CURC=1', 'ATI']);
});

t.test('init: identity from +CGMI/+CGMM/+CGSN when ATI is thin; ^CURC refused is fine', async (t) => {
  const replies: Record<string, string> = {
    'AT^CURC=1': framed('COMMAND NOT SUPPORT'),
    ATI: framed('E1750', 'OK'),
    'AT+CGMI': framed('huawei', 'OK'),
    'AT+CGMM': framed('E1750', 'OK'),
    'AT+CGSN': framed('353142040000003', 'OK'),
  };
  const { ctx } = context((c) => replies[c] ?? framed('OK'));
  t.same(await runJob({ kind: 'init' }, ctx), { kind: 'init', identity: { manufacturer: 'huawei', model: 'E1750', imei: '353142040000003' } });
});

t.test('sim: +CPIN? and the SIM errors read as SIM states', async (t) => {
  const cases: Array<[string, string]> = [
    [framed('+CPIN: READY', 'OK'), 'ready'],
    [framed('+CPIN: SIM PIN', 'OK'), 'pin'],
    [framed('+CME ERROR: 10'), 'absent'],
    [framed('+CME ERROR: 14'), 'busy'],
    [framed('+CME ERROR: 12'), 'puk'],
    [framed('+CME ERROR: 13'), 'failure'],
  ];
  for (const [reply, sim] of cases) {
    const { ctx } = context(() => reply);
    t.same(await runJob({ kind: 'sim' }, ctx), { kind: 'sim', sim }, sim);
  }
  const { ctx } = context(() => framed('+CME ERROR: 3'));
  await t.rejects(runJob({ kind: 'sim' }, ctx), { code: 'cme' });
});

t.test('unlock sends the PIN, masked in errors', async (t) => {
  const { port, ctx } = context(() => framed('+CME ERROR: 16'), null, '4711');
  const error = await runJob({ kind: 'unlock' }, ctx).catch((e: Error) => e);
  t.match(error, { code: 'cme', command: 'AT+CPIN="****"' });
  t.same(port.written, ['AT+CPIN="4711"']);
});

t.test('setup and poll: settings, context, rates, then the radio report', async (t) => {
  const replies: Record<string, string> = {
    'AT+CREG?': framed('+CREG: 1', '+CREG: 2,1,"00C3","0000001A"', 'OK'),
    'AT+CGREG?': framed('+CGREG: 2,5,"00C3","0000001A",6', 'OK'),
    'AT+COPS?': framed('+COPS: 0,0,"KPN NL",2', 'OK'),
    'AT^SYSINFO': framed('^SYSINFO:2,3,0,5,1,,7', 'OK'),
    'AT+CSQ': framed('+CSQ: 17,99', 'OK'),
    'AT^NDISSTATQRY?': framed('^NDISSTATQry:1', 'OK'),
  };
  const { port, ctx } = context((c) => replies[c] ?? framed('OK'), { downKbps: 128, upKbps: 64 });
  const result = await runJob({ kind: 'setup' }, ctx);
  t.same(result, { kind: 'setup', report: { cs: 'home', ps: 'roaming', operator: 'KPN NL', technology: 'hspa', signalDbm: -79, session: true } });
  t.same(port.written.slice(0, 5), ['AT+CREG=2', 'AT+CGREG=2', 'AT+COPS=3,0', 'AT+CGDCONT=1,"IP","internet"', 'AT+CGEQREQ=1,2,64,128']);
  t.equal(ctx.told.cregMode, 2);
});

t.test('poll: +CREG? back in mode 0 means the stick restarted by itself', async (t) => {
  const { ctx } = context((c) => (c === 'AT+CREG?' ? framed('+CREG: 0,1', 'OK') : framed('OK')));
  ctx.told.cregMode = 2;
  const result = await runJob({ kind: 'poll' }, ctx);
  t.match(result, { kind: 'poll', report: { cs: 'home', restarted: true } });
});

t.test('poll: a stick answering ERROR to everything fails the job; a timeout fails it too', async (t) => {
  const { ctx } = context(() => framed('ERROR'));
  await t.rejects(runJob({ kind: 'poll' }, ctx), { code: 'error' });
});

t.test('negotiated: a grant above what was asked (asked during the dial) is modified', async (t) => {
  let modified = false;
  const { port, ctx } = context(
    (c) => {
      if (c === 'AT+CGCMOD=1') modified = true;
      if (c === 'AT+CGEQNEG=1') return framed(modified ? '+CGEQNEG: 1,2,1408,3584' : '+CGEQNEG: 1,2,5760,7168', 'OK');
      return framed('OK');
    },
    { downKbps: 3584, upKbps: 1408 },
  );
  t.same(await runJob({ kind: 'negotiated' }, ctx), { kind: 'negotiated', rates: { downKbps: 3584, upKbps: 1408 } });
  t.same(port.written, ['AT+CGEQNEG=1', 'AT+CGEQREQ=1,2,1408,3584', 'AT+CGCMOD=1', 'AT+CGEQNEG=1']);
});

t.test('negotiated: a grant at or below what was asked is taken as it is', async (t) => {
  const { port, ctx } = context(() => framed('+CGEQNEG: 1,2,512,1024', 'OK'), { downKbps: 3584, upKbps: 1408 });
  t.same(await runJob({ kind: 'negotiated' }, ctx), { kind: 'negotiated', rates: { downKbps: 1024, upKbps: 512 } });
  t.same(port.written, ['AT+CGEQNEG=1']);
});

t.test('dial, session query, hang-up, re-register and restart send what they should', async (t) => {
  const { port, ctx } = context((c) => (c === 'AT^NDISSTATQRY?' ? framed('^NDISSTATQRY: 0,,,"IPV4"', 'OK') : framed('OK')));
  await runJob({ kind: 'dial' }, ctx);
  t.same(await runJob({ kind: 'session' }, ctx), { kind: 'session', connected: false });
  await runJob({ kind: 'hangup' }, ctx);
  await runJob({ kind: 'restart' }, ctx);
  t.same(port.written, ['AT^NDISDUP=1,1,"internet"', 'AT^NDISSTATQRY?', 'AT^NDISDUP=1,0', 'AT+CFUN=1,1']);
});
