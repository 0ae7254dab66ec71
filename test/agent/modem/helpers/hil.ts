// Hardware-in-the-loop scenarios for the modem: the firmware simulator's Huawei stick behind a
// real pty, opened by path with serialport, and the real modem stack on top. Every scenario
// has the same shape (CRAFT.md "Scenario tests read like the story"):
//
//   hilTest('the story', { stick: {...}, modem: {...} }, async (t, { stick, modem, events, until }) => {…});
//
// SP_TEST_DEBUG=1 prints the modem's debug log to stderr.
import t, { type Test } from 'tap';
import { startSimulator, type SimStick, type Simulator, type StickOptions } from '../../../../firmware-sim/index.js';
import { systemClock } from '../../../../shared/clock.js';
import { createLogger, silentLogger } from '../../../../shared/log.js';
import { createModem, type Modem, type ModemEvent, type ModemOptions, type ModemSnapshot } from '../../../../agent/modem/index.js';

/** Real I/O on a 2-core machine shared with others: generous. */
export const DEADLINE_MS = 20_000;

export interface Scenario {
  readonly sim: Simulator;
  readonly stick: SimStick;
  readonly modem: Modem;
  /** Every modem event so far, oldest first. */
  readonly events: ModemEvent[];
  /** Resolves once the snapshot satisfies `test` (checked now and at every event). */
  until(test: (snapshot: ModemSnapshot) => boolean, what: string, deadlineMs?: number): Promise<ModemSnapshot>;
  /** Resolves once `probe` is true about something outside the modem (the stick), checked every 10 ms. */
  untilTrue(probe: () => boolean, what: string, deadlineMs?: number): Promise<void>;
  /** Resolves once an event satisfies `test` (including events already seen). */
  untilEvent(test: (event: ModemEvent) => boolean, what: string, deadlineMs?: number): Promise<ModemEvent>;
}

export interface ScenarioSetup {
  readonly stick?: StickOptions;
  readonly modem?: Partial<Omit<ModemOptions, 'devicePath' | 'clock' | 'logger'>>;
  /** Start the modem before the body (default true). */
  readonly start?: boolean;
}

export function hilTest(name: string, setup: ScenarioSetup, body: (t: Test, scenario: Scenario) => Promise<void>): void {
  t.test(name, async (t) => {
    const sim = await startSimulator({ router: false, control: null, stick: { latencyScale: 0, ...setup.stick } });
    const stick = sim.stick!;
    const logger = process.env['SP_TEST_DEBUG'] ? createLogger({ name: 'modem-hil', level: 'debug', destination: process.stderr }) : silentLogger();
    const modem = createModem({ apn: 'internet', ...setup.modem, devicePath: stick.devicePath, clock: systemClock, logger });
    const events: ModemEvent[] = [];
    const waiters = new Set<() => void>();
    modem.on((event) => {
      events.push(event);
      for (const check of [...waiters]) check();
    });
    const wait = <T>(probe: () => T | undefined, what: string, deadlineMs: number): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        const check = (): void => {
          const found = probe();
          if (found === undefined) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited ${deadlineMs} ms for ${what}; modem is ${JSON.stringify(modem.snapshot())}`));
        }, deadlineMs);
        waiters.add(check);
        check();
      });
    const scenario: Scenario = {
      sim,
      stick,
      modem,
      events,
      until: (test, what, deadlineMs = DEADLINE_MS) =>
        wait(() => {
          const snapshot = modem.snapshot();
          return test(snapshot) ? snapshot : undefined;
        }, what, deadlineMs),
      untilEvent: (test, what, deadlineMs = DEADLINE_MS) => wait(() => events.find(test), what, deadlineMs),
      untilTrue: async (probe, what, deadlineMs = DEADLINE_MS) => {
        const ticker = setInterval(() => {
          for (const check of [...waiters]) check();
        }, 10);
        try {
          await wait(() => (probe() ? true : undefined), what, deadlineMs);
        } finally {
          clearInterval(ticker);
        }
      },
    };
    t.teardown(async () => {
      await modem.stop();
      await sim.close();
    });
    if (setup.start !== false) await modem.start();
    await body(t, scenario);
  });
}

export const isState =
  (...states: ModemSnapshot['state'][]) =>
  (snapshot: ModemSnapshot): boolean =>
    states.includes(snapshot.state);
