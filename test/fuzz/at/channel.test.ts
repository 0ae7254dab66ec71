// The AT command channel on replies cut at random byte boundaries, with unsolicited codes and
// noise dropped in at random points: the command gets exactly its reply, every URC reaches its
// handler, a line that is not a final result never ends a command (so garbage never becomes a
// success), nothing escapes as an exception, and the channel is in step again afterwards.
import fc from 'fast-check';
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { silentLogger, type Logger } from '../../../shared/log.js';
import { AtChannel, type AtResponse } from '../../../agent/modem/channel/at-channel.js';
import { lineTag } from '../../../agent/modem/channel/urc-registry.js';
import { isModemError, ModemError } from '../../../agent/modem/errors.js';
import { isSolicitedRegistration } from '../../../agent/modem/huawei/network.js';
import { registerUrcs } from '../../../agent/modem/urcs.js';
import { flush, ScriptedPort } from '../../agent/modem/helpers/scripted-port.js';
import { ALL_LINES, FINALS, framed, REPLIES, URCS } from '../helpers/at-corpus.js';
import { referenceLines } from '../helpers/framing-reference.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { lineMutation, mutatedLine, mutateLine, noise, splitAt } from '../helpers/mutate.js';

const TIMEOUT_MS = 3000;
const URC_TAGS = [...new Set(URCS.map(lineTag))];

/**
 * The test's own reading of a final result (V.250 §5.7, 27.007 §9.2, Huawei's COMMAND NOT
 * SUPPORT), kept apart from the channel's so a mistake there cannot hide here.
 */
function finalOf(line: string): { kind: 'ok' | 'connect' } | { kind: 'error'; code: string } | null {
  const upper = line.trim().toUpperCase();
  const simple: Record<string, string> = { ERROR: 'error', 'COMMAND NOT SUPPORT': 'not-supported', 'NO CARRIER': 'no-carrier', BUSY: 'busy', 'NO ANSWER': 'no-answer', 'NO DIALTONE': 'no-dialtone', 'NO DIAL TONE': 'no-dialtone' };
  if (upper === 'OK') return { kind: 'ok' };
  if (upper === 'CONNECT' || upper.startsWith('CONNECT ')) return { kind: 'connect' };
  if (Object.hasOwn(simple, upper)) return { kind: 'error', code: simple[upper]! };
  if (/^\+CME ERROR\s*:/.test(upper)) return { kind: 'error', code: 'cme' };
  if (/^\+CMS ERROR\s*:/.test(upper)) return { kind: 'error', code: 'error' };
  return null;
}

type Settled = { readonly kind: 'pending' } | { readonly kind: 'ok'; readonly response: AtResponse } | { readonly kind: 'error'; readonly error: unknown };

function track(promise: Promise<AtResponse>): () => Settled {
  let state: Settled = { kind: 'pending' };
  promise.then(
    (response) => (state = { kind: 'ok', response }),
    (error: unknown) => (state = { kind: 'error', error }),
  );
  return () => state;
}

/** A logger that remembers warnings and errors (a URC handler that threw shows up here). */
function recordingLogger(): { logger: Logger; complaints: string[] } {
  const complaints: string[] = [];
  const logger = silentLogger();
  const record = (level: string) => (obj: unknown, msg?: string) => void complaints.push(`${level}: ${msg ?? ''} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  return { logger: Object.assign(Object.create(logger) as Logger, { warn: record('warn'), error: record('error') }), complaints };
}

function setup() {
  const clock = new TestClock();
  const port = new ScriptedPort(() => null);
  const { logger, complaints } = recordingLogger();
  const channel = new AtChannel(port, { clock, logger, defaultTimeoutMs: TIMEOUT_MS });
  return { clock, port, channel, complaints };
}

/** Feeds `bytes` in the given pieces, letting the stream deliver each. */
async function feed(port: ScriptedPort, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    port.feed(chunk);
    await flush(1);
  }
  await flush();
}

/** After a fault: one exchange may still carry left-overs, the one after it must be exact. */
async function inStep(port: ScriptedPort, channel: AtChannel, clock: TestClock): Promise<void> {
  const first = track(channel.send('AT'));
  await flush();
  port.feed(framed('OK'));
  await flush();
  if (first().kind === 'pending') {
    clock.advance(TIMEOUT_MS);
    await flush();
  }
  const settled = first();
  expect(settled.kind === 'ok' || (settled.kind === 'error' && isModemError(settled.error)), () => `the first exchange after the fault: ${JSON.stringify(settled)}`);
  const second = track(channel.send('AT+CGMM'));
  await flush();
  port.feed(framed('E173', 'OK'));
  await flush();
  const result = second();
  expect(result.kind === 'ok' && JSON.stringify(result.response.lines) === '["E173"]', () => `the channel is out of step: ${JSON.stringify(result)}`);
}

const command = fc.constantFrom(...Object.keys(REPLIES));
const scenario = command.chain((cmd) =>
  fc.record({
    command: fc.constant(cmd),
    info: fc.constantFrom(...REPLIES[cmd]!),
    final: fc.constantFrom(...FINALS),
    echo: fc.boolean(),
    urcs: fc.array(fc.tuple(fc.constantFrom(...URCS), fc.nat()), { maxLength: 6 }),
    noises: fc.array(fc.tuple(noise, fc.nat()), { maxLength: 4 }),
    cuts: fc.array(fc.nat(), { maxLength: 30 }),
  }),
);

t.test('examples', async (t) => {
  // A +CGREG URC between the echo and the solicited reply, noise before the final result, the
  // whole thing one byte at a time.
  const { port, channel } = setup();
  const seen: string[] = [];
  channel.onUrc('+CGREG', (line) => seen.push(line));
  const reply = track(channel.send('AT+CGREG?', { claims: isSolicitedRegistration }));
  await flush();
  const bytes = Buffer.from(`AT+CGREG?\r${framed('+CGREG: 1,"00C3","0000001B",6', '+CGREG: 2,1,"00C3","0000001A",6')}\u00ff\u0000${framed('OK')}`, 'latin1');
  await feed(port, splitAt(bytes, [...bytes.keys()]));
  t.same(reply(), { kind: 'ok', response: { lines: ['+CGREG: 2,1,"00C3","0000001A",6'], final: 'ok' } });
  t.same(seen, ['+CGREG: 1,"00C3","0000001B",6']);
});

t.test('regression: a half line of noise before a command is not glued to its echo or reply', async (t) => {
  // Found by pty.test.ts: `!` on the line, then the echo of AT+CGMM: `!AT+CGMM` was read as the model.
  const { port, channel } = setup();
  port.feed(Buffer.from('!'));
  const reply = track(channel.send('AT+CGMM'));
  await flush();
  port.feed(`AT+CGMM\r${framed('E173', 'OK')}`);
  await flush();
  t.same(reply(), { kind: 'ok', response: { lines: ['E173'], final: 'ok' } });
});

t.test('interleaved URCs reach their handlers and never corrupt the reply, however it is split', async (t) => {
  await fuzz(
    t,
    'replies with URCs and noise',
    fc.asyncProperty(scenario, async (s) => {
      const { clock, port, channel, complaints } = setup();
      const heard: string[] = [];
      for (const tag of URC_TAGS) channel.onUrc(tag, (line) => heard.push(line));
      const claims = s.command === 'AT+CREG?' || s.command === 'AT+CGREG?' ? { claims: isSolicitedRegistration } : {};
      const reply = track(channel.send(s.command, claims));
      await flush();
      // The stick's side: echo, information lines, final result; URCs and noise anywhere.
      const items: string[] = [...(s.echo ? [`${s.command}\r`] : []), ...s.info.map((line) => framed(line)), framed(s.final)];
      const urcAt = new Map<number, string[]>();
      for (const [urc, at] of s.urcs) urcAt.set(at % (items.length + 1), [...(urcAt.get(at % (items.length + 1)) ?? []), framed(urc)]);
      for (const [bytes, at] of s.noises) urcAt.set(at % (items.length + 1), [...(urcAt.get(at % (items.length + 1)) ?? []), bytes.toString('latin1')]);
      const stream = items.flatMap((item, i) => [...(urcAt.get(i) ?? []), item]).concat(urcAt.get(items.length) ?? []);
      await feed(port, splitAt(Buffer.from(stream.join(''), 'latin1'), s.cuts));

      const final = finalOf(s.final)!;
      const settled = reply();
      if (final.kind === 'error') {
        expect(settled.kind === 'error' && isModemError(settled.error, final.code as never), () => `${s.final} should fail with ${final.code}: ${JSON.stringify(settled)}`);
      } else {
        expect(settled.kind === 'ok', () => `${s.final} should succeed: ${JSON.stringify(settled)}`);
        expect(JSON.stringify(settled.response.lines) === JSON.stringify(s.info), () => `reply ${JSON.stringify(settled.response.lines)} ≠ ${JSON.stringify(s.info)}`);
        expect(settled.response.final === final.kind, `final ${settled.response.final}`);
      }
      // Every URC, wherever it fell (after the final result too), reached a handler, in order.
      const expected = s.urcs
        .map(([urc, at], i) => ({ urc, at: at % (items.length + 1), i }))
        .sort((a, b) => a.at - b.at || a.i - b.i)
        .map((u) => u.urc);
      expect(JSON.stringify(heard) === JSON.stringify(expected), () => `URCs heard ${JSON.stringify(heard)} ≠ sent ${JSON.stringify(expected)}`);
      expect(complaints.length === 0, () => complaints.join('\n'));
      await inStep(port, channel, clock);
    }),
    500,
  );
});

t.test('a line that is not a final result never ends the command: garbage never becomes a success', async (t) => {
  await fuzz(
    t,
    'mutated final results',
    fc.asyncProperty(
      fc.constantFrom(...FINALS),
      fc.array(lineMutation, { minLength: 1, maxLength: 3 }),
      fc.array(mutatedLine(ALL_LINES), { maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      async (realFinal, mutations, infoLines, cuts) => {
        const { clock, port, channel } = setup();
        const reply = track(channel.send('AT+CSQ'));
        await flush();
        const bytes = Buffer.from(framed(...infoLines, mutateLine(realFinal, mutations)), 'latin1');
        await feed(port, splitAt(bytes, cuts));
        // What a careful reader sees on the line, and the first final result among it.
        const first = referenceLines(bytes)
          .map((line) => finalOf(line))
          .find((f) => f !== null);
        if (reply().kind === 'pending') {
          clock.advance(TIMEOUT_MS);
          await flush();
        }
        const settled = reply();
        if (first === undefined) {
          expect(settled.kind === 'error' && isModemError(settled.error, 'timeout'), () => `no final result was sent, yet: ${JSON.stringify(settled)}`);
        } else if (first.kind === 'error') {
          expect(settled.kind === 'error' && isModemError(settled.error, first.code as never), () => `expected ${first.code}: ${JSON.stringify(settled)}`);
        } else {
          expect(settled.kind === 'ok' && settled.response.final === first.kind, () => `expected ${first.kind}: ${JSON.stringify(settled)}`);
        }
        await inStep(port, channel, clock);
      },
    ),
    500,
  );
});

t.test('any bytes at any time: nothing throws, every command settles with a typed outcome, the channel recovers', async (t) => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    fc.array(mutatedLine([...ALL_LINES]), { maxLength: 5 }).map((lines) => Buffer.from(framed(...lines), 'latin1')),
    noise,
  );
  await fuzz(
    t,
    'random bytes through the dialect',
    fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), bytes, fc.array(fc.nat(), { maxLength: 6 })), { minLength: 1, maxLength: 5 }), async (steps) => {
      const { clock, port, channel, complaints } = setup();
      // The modem's own URC handlers, with their parsers: none may throw on what arrives.
      const inputs: unknown[] = [];
      registerUrcs(channel, { onInput: (urc) => inputs.push(urc), onCounters: (c) => inputs.push(c), logger: silentLogger() });
      for (const [withCommand, data, cuts] of steps) {
        const reply = withCommand ? track(channel.send('AT^DSFLOWQRY')) : null;
        await flush();
        await feed(port, splitAt(data, cuts));
        if (reply && reply().kind === 'pending') {
          clock.advance(TIMEOUT_MS);
          await flush();
        }
        const settled = reply?.();
        expect(settled === undefined || settled.kind === 'ok' || (settled.kind === 'error' && settled.error instanceof ModemError), () => `not a typed outcome: ${JSON.stringify(settled)}`);
      }
      expect(complaints.length === 0, () => `a URC handler failed: ${complaints.join('\n')}`);
      await inStep(port, channel, clock);
    }),
    300,
  );
});
