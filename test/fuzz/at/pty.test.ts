// Hardware in the loop: the command channel and then the whole modem over a real pty to the
// firmware simulator's stick, with random garbage (the simulator's injectGarbage) and cut
// replies (truncateNextReply) between real exchanges. What the channel reads is never wrong,
// and within a couple of exchanges it reads right again: the modem stays usable.
import fc from 'fast-check';
import t from 'tap';
import { startSimulator } from '../../../firmware-sim/index.js';
import { systemClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import { AtChannel } from '../../../agent/modem/channel/at-channel.js';
import { openSerialPort } from '../../../agent/modem/channel/port.js';
import { lineTag } from '../../../agent/modem/channel/urc-registry.js';
import { isModemError } from '../../../agent/modem/errors.js';
import { findTagged } from '../../../agent/modem/huawei/fields.js';
import { parseBareText } from '../../../agent/modem/huawei/identity.js';
import { parseCsq } from '../../../agent/modem/huawei/network.js';
import { parseCpin } from '../../../agent/modem/huawei/sim.js';
import { createModem } from '../../../agent/modem/index.js';
import { URCS } from '../helpers/at-corpus.js';
import { expect, fuzz } from '../helpers/fuzz.js';

/** Generous for a loaded 2-core machine; a cut reply costs one of these. */
const COMMAND_MS = 800;
const ATTEMPTS = 5;

/** A real exchange and how to read the truth from its reply (null: the reply did not say). */
const EXCHANGES: ReadonlyArray<readonly [string, (lines: readonly string[]) => unknown, unknown]> = [
  ['AT+CGMM', (lines) => parseBareText(lines, '+CGMM'), 'E173'],
  ['AT+CSQ', (lines) => (findTagged(lines, '+CSQ') ? parseCsq(findTagged(lines, '+CSQ')!.line)?.dbm : null), -73],
  ['AT+CPIN?', (lines) => parseCpin(lines)?.status ?? null, 'ready'],
];

type Step = { readonly kind: 'garbage'; readonly bytes: Uint8Array | null; readonly length: number } | { readonly kind: 'truncate'; readonly keep: number | null } | { readonly kind: 'exchange'; readonly which: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('garbage' as const), bytes: fc.option(fc.uint8Array({ minLength: 1, maxLength: 48 }), { freq: 2 }), length: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.option(fc.nat({ max: 40 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('exchange' as const), which: fc.nat() }) },
);

t.test('the channel over a real pty: garbage and cut replies between exchanges never yield a wrong answer', async (t) => {
  const sim = await startSimulator({ router: false, control: null, stick: { latencyScale: 0 } });
  const stick = sim.stick!;
  const port = await openSerialPort(stick.devicePath);
  const channel = new AtChannel(port, { clock: systemClock, logger: silentLogger(), defaultTimeoutMs: COMMAND_MS });
  for (const tag of new Set(URCS.map(lineTag))) channel.onUrc(tag, () => {});
  let heard = 0;
  port.onData((chunk) => (heard += chunk.length));
  /** Garbage *between* exchanges: wait until the channel has read it (it is in the pty until then). */
  const garbage = async (bytes: Uint8Array | null, length: number): Promise<void> => {
    const expected = heard + (bytes?.length ?? length);
    stick.injectGarbage(bytes ?? undefined, length);
    const deadline = Date.now() + 10_000;
    while (heard < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  t.teardown(async () => {
    await channel.close();
    await sim.close();
  });

  /** One exchange: the truth, a reply that does not say (null), or a typed failure. */
  const exchange = async (which: number): Promise<'right' | 'unreadable' | 'failed'> => {
    const [command, read, truth] = EXCHANGES[which % EXCHANGES.length]!;
    let lines: readonly string[];
    try {
      lines = (await channel.send(command)).lines;
    } catch (error) {
      expect(isModemError(error), () => `${command} failed with ${String(error)}`);
      return 'failed';
    }
    const value = read(lines);
    if (value === null || value === undefined) return 'unreadable';
    expect(JSON.stringify(value) === JSON.stringify(truth), () => `${command} read ${JSON.stringify(value)} from ${JSON.stringify(lines)}, the stick says ${JSON.stringify(truth)}`);
    return 'right';
  };

  await fuzz(
    t,
    'garbage between exchanges on a real pty',
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
      let cuts = 0;
      for (const s of steps) {
        if (s.kind === 'garbage') await garbage(s.bytes, s.length);
        else if (s.kind === 'truncate' && cuts++ === 0) stick.truncateNextReply(s.keep ?? undefined);
        else if (s.kind === 'exchange') await exchange(s.which);
      }
      // Usable again: within a few exchanges every command reads the truth.
      for (let which = 0; which < EXCHANGES.length; which++) {
        let outcome: string = 'failed';
        for (let attempt = 0; attempt < ATTEMPTS && outcome !== 'right'; attempt++) outcome = await exchange(which);
        expect(outcome === 'right', `${EXCHANGES[which]![0]} never read right again (last: ${outcome})`);
      }
    }),
    12,
  );
  t.equal(stick.snapshot().plugged, true);
});

t.test('the whole modem over a real pty stays connected and reads its counters through garbage', async (t) => {
  const sim = await startSimulator({ router: false, control: null, stick: { latencyScale: 0 } });
  const stick = sim.stick!;
  const modem = createModem({ apn: 'internet', devicePath: stick.devicePath, clock: systemClock, logger: silentLogger(), timeouts: { commandMs: COMMAND_MS } });
  t.teardown(async () => {
    await modem.stop();
    await sim.close();
  });
  await modem.start();
  modem.setSessionWanted(true);
  const deadline = Date.now() + 20_000;
  while (modem.snapshot().state !== 'connected' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(modem.snapshot().state, 'connected', 'connected before the garbage');

  // What happened to the modem meanwhile, for the failure message.
  const events: string[] = [];
  modem.on((event) => {
    if (event.type === 'state') events.push(`state ${event.snapshot.state}`);
    else if (event.type !== 'counters') events.push(`${event.type} ${JSON.stringify(event)}`);
  });
  const session = stick.snapshot().session!.since;
  /** The stick's own counters are the truth. */
  const truth = () => stick.snapshot().counters;
  const matches = (read: { sessionTxBytes: number; sessionRxBytes: number }) => read.sessionTxBytes === truth().sessionTxBytes && read.sessionRxBytes === truth().sessionRxBytes;
  await fuzz(
    t,
    'garbage and cut replies around counter reads',
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), fc.nat({ max: 100_000 }), fc.nat({ max: 100_000 }), async (steps, tx, rx) => {
      events.length = 0;
      stick.generateTraffic({ txBytes: tx, rxBytes: rx });
      let cuts = 0;
      for (const s of steps) {
        if (s.kind === 'garbage') stick.injectGarbage(s.bytes ?? undefined, s.length);
        else if (s.kind === 'truncate' && cuts++ === 0) stick.truncateNextReply(s.keep ?? undefined);
        else if (s.kind === 'exchange') {
          const read = await modem.readCounters().catch((error: unknown) => {
            expect(isModemError(error), () => `readCounters failed with ${String(error)}`);
            return null;
          });
          if (read) expect(matches(read), () => `counters ${read.sessionTxBytes}/${read.sessionRxBytes}, the stick counted ${JSON.stringify(truth())}`);
        }
      }
      let right = false;
      for (let attempt = 0; attempt < ATTEMPTS && !right; attempt++) {
        const read = await modem.readCounters().catch(() => null);
        if (read) {
          expect(matches(read), () => `counters ${read.sessionTxBytes}/${read.sessionRxBytes}, the stick counted ${JSON.stringify(truth())}`);
          right = true;
        }
      }
      expect(right, 'the counters could not be read again');
      const until = Date.now() + 10_000;
      while (modem.snapshot().state !== 'connected' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(modem.snapshot().state === 'connected', `the modem is ${modem.snapshot().state}`);
      // Noise and a cut reply cost nothing: the customer's data session is the same one.
      expect(stick.snapshot().session?.since === session, () => `the data session was dropped and redialled: ${events.join('; ')}`);
    }),
    8,
  );
});
