// The AT channel against a scripted fake port (the pure core's fake), with a TestClock for
// the budgets.
import t from 'tap';
import { TestClock } from '../../../../shared/clock.js';
import { silentLogger } from '../../../../shared/log.js';
import { AtChannel } from '../../../../agent/modem/channel/at-channel.js';
import { isModemError, ModemError } from '../../../../agent/modem/errors.js';
import { isSolicitedRegistration } from '../../../../agent/modem/huawei/network.js';
import { flush, framed, ScriptedPort, type Script } from '../helpers/scripted-port.js';

function setup(script: Script = () => framed('OK')) {
  const clock = new TestClock();
  const port = new ScriptedPort(script);
  const channel = new AtChannel(port, { clock, logger: silentLogger(), defaultTimeoutMs: 3000 });
  return { clock, port, channel };
}

async function failure(promise: Promise<unknown>): Promise<ModemError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ModemError) return error;
    throw error;
  }
  throw new Error('expected a ModemError');
}

t.test('OK resolves with the information lines, without echo and final result', async (t) => {
  const { channel } = setup(() => `AT+CSQ\r${framed('+CSQ: 20,99', 'OK')}`);
  const reply = await channel.send('AT+CSQ');
  t.same(reply, { lines: ['+CSQ: 20,99'], final: 'ok' });
});

t.test('every final result is classified into a typed error', async (t) => {
  const cases: Array<[string, string, string | null]> = [
    ['ERROR', 'error', null],
    ['+CME ERROR: 10', 'cme', 'sim-not-inserted'],
    ['+CME ERROR: 14', 'cme', 'sim-busy'],
    ['+CME ERROR: 16', 'cme', 'incorrect-password'],
    ['+CME ERROR: 127', 'cme', 'missing-or-unknown-apn'],
    ['+CME ERROR: SIM busy', 'cme', 'sim-busy'],
    ['+CME ERROR: incorrect password', 'cme', 'incorrect-password'],
    ['+CME ERROR: 999', 'cme', null],
    ['COMMAND NOT SUPPORT', 'not-supported', null],
    ['NO CARRIER', 'no-carrier', null],
    ['BUSY', 'busy', null],
    ['NO ANSWER', 'no-answer', null],
    ['NO DIALTONE', 'no-dialtone', null],
    ['+CMS ERROR: 500', 'error', null],
  ];
  for (const [final, code, cme] of cases) {
    const { channel } = setup(() => framed(final));
    const error = await failure(channel.send('AT+TEST'));
    t.equal(error.code, code, final);
    t.equal(error.cme?.name ?? null, cme, `${final}: CME name`);
    t.equal(error.command, 'AT+TEST');
  }
  const numeric = await failure(setup(() => framed('+CME ERROR: 999')).channel.send('AT+X'));
  t.equal(numeric.cme?.code, 999, 'an unnamed code keeps its number');
});

t.test('CONNECT ends a dial with its rate text', async (t) => {
  const { channel } = setup(() => framed('CONNECT 7200000'));
  t.same(await channel.send('ATD*99#'), { lines: [], final: 'connect', connectText: '7200000' });
});

t.test('one command in flight: the next is written only after the final result', async (t) => {
  const { port, channel } = setup(() => null);
  const first = channel.send('AT+CSQ');
  const second = channel.send('AT+CPIN?');
  await flush();
  t.same(port.written, ['AT+CSQ'], 'only the first is on the wire');
  port.feed(framed('+CSQ: 20,99', 'OK'));
  t.same((await first).lines, ['+CSQ: 20,99']);
  await flush();
  t.same(port.written, ['AT+CSQ', 'AT+CPIN?']);
  port.feed(framed('+CPIN: READY', 'OK'));
  t.same((await second).lines, ['+CPIN: READY'], 'the second reply is not mixed with the first');
});

t.test('a command without a final result times out with a typed error; the queue goes on', async (t) => {
  const { clock, port, channel } = setup(() => null);
  const first = channel.send('AT+CSQ', { timeoutMs: 3000 });
  const second = channel.send('AT+CPIN?');
  await flush();
  clock.advance(2999);
  await flush();
  t.equal(port.written.length, 1, 'still waiting at 2999 ms');
  clock.advance(1);
  const error = await failure(first);
  t.equal(error.code, 'timeout');
  t.equal(channel.consecutiveTimeouts, 1);
  await flush();
  t.same(port.written, ['AT+CSQ', 'AT+CPIN?']);
  port.feed(framed('+CPIN: READY', 'OK'));
  await second;
  t.equal(channel.consecutiveTimeouts, 0, 'a final result resets the count');
});

t.test('per-command budgets: a long one is not cut at the default', async (t) => {
  const { clock, port, channel } = setup(() => null);
  const cops = channel.send('AT+COPS=0', { timeoutMs: 120_000 });
  await flush();
  clock.advance(60_000);
  port.feed(framed('OK'));
  t.same(await cops, { lines: [], final: 'ok' });
});

t.test('unsolicited codes go to their handlers wherever they fall', async (t) => {
  const seen: string[] = [];
  const { port, channel } = setup(() => [
    'AT+CSQ\r',
    '\r\n^RSSI:17\r\n', // between echo and answer
    '\r\n+CSQ: 17,99\r\n\r\n^MODE:5,4\r\n', // in the middle of the reply
    '\r\nOK\r\n\r\n^RSSI: 18\r\n', // right after OK, same read
  ]);
  channel.onUrc('^RSSI', (line) => seen.push(line));
  channel.onUrc('^mode', (line) => seen.push(line));
  port.feed(framed('^RSSI:16')); // before anything
  const reply = await channel.send('AT+CSQ');
  await flush();
  t.same(reply.lines, ['+CSQ: 17,99'], 'no URC in the reply');
  t.same(seen, ['^RSSI:16', '^RSSI:17', '^MODE:5,4', '^RSSI: 18']);
});

t.test('a +CREG URC while AT+CREG? is in flight is not taken for the reply', async (t) => {
  const urcs: string[] = [];
  const { channel } = setup(() => framed('+CREG: 1', '+CREG: 2,1,"00C3","0000001A"', '+CREG: 5,"00C3","0000001B",2', 'OK'));
  channel.onUrc('+CREG', (line) => urcs.push(line));
  const reply = await channel.send('AT+CREG?', { claims: isSolicitedRegistration });
  await flush();
  t.same(reply.lines, ['+CREG: 2,1,"00C3","0000001A"']);
  t.same(urcs, ['+CREG: 1', '+CREG: 5,"00C3","0000001B",2']);
});

t.test('a truncated reply times out and does not corrupt the next one', async (t) => {
  let calls = 0;
  const { clock, channel } = setup(() => (++calls === 1 ? '\r\n+CSQ: 2' : framed('+CSQ: 21,99', 'OK')));
  const first = channel.send('AT+CSQ');
  await flush();
  clock.advance(3000);
  t.equal((await failure(first)).code, 'timeout');
  const second = await channel.send('AT+CSQ');
  t.same(second.lines, ['+CSQ: 21,99']);
});

t.test('garbage bytes on the line do not break the reply in progress', async (t) => {
  const { channel } = setup(() => [Buffer.from([0x8a, 0x00, 0xff, 0x13]).toString('latin1'), framed('+CPIN: READY'), '\x9c\x9d\r\n', framed('OK')]);
  t.same((await channel.send('AT+CPIN?')).lines, ['+CPIN: READY']);
});

t.test('a closing port rejects the command in flight and the queue with `closed`', async (t) => {
  const { port, channel } = setup(() => null);
  const first = channel.send('AT+CSQ');
  const second = channel.send('AT+CPIN?');
  await flush();
  port.hangUp();
  t.equal((await failure(first)).code, 'closed');
  t.equal((await failure(second)).code, 'closed');
  t.equal((await failure(channel.send('AT'))).code, 'closed', 'and anything sent later');
  t.ok(channel.isClosed);
});

t.test('a throwing URC handler does not stop the channel', async (t) => {
  const seen: string[] = [];
  const { port, channel } = setup();
  channel.onUrc('^RSSI', () => {
    throw new Error('boom');
  });
  channel.onUrc('^RSSI', (line) => seen.push(line));
  port.feed(framed('^RSSI:10'));
  await flush();
  t.same(seen, ['^RSSI:10']);
  t.same(await channel.send('AT'), { lines: [], final: 'ok' });
});

t.test('a late final result with nothing in flight is ignored', async (t) => {
  const { port, channel } = setup();
  port.feed(framed('OK'));
  port.feed(framed('+CSQ: 1,1'));
  await flush();
  t.same(await channel.send('AT'), { lines: [], final: 'ok' });
});

t.test('logAs hides a secret in errors', async (t) => {
  const { channel } = setup(() => framed('+CME ERROR: 16'));
  const error = await failure(channel.send('AT+CPIN="1234"', { logAs: 'AT+CPIN="****"' }));
  t.notMatch(error.message, /1234/);
  t.equal(error.command, 'AT+CPIN="****"');
  t.ok(isModemError(error, 'cme'));
});
