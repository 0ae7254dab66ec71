// `serviceplus demo` (npm start): the whole system on this machine, wired and enrolled, with a
// live timeline on stdout; `--scenario outage` plays a scripted outage and exits 0 when every
// step happened in time, or 1 naming the step that did not.
import type { Observer } from './observer.js';
import { parseDemoArgs, UsageError, type DemoOptions } from './options.js';
import type { OutageContext } from './scenarios/outage.js';
import type { DemoStack } from './stack.js';

// The rest is imported once the options are good, so --help and bad usage answer at once.

export const help = `Usage: serviceplus demo [--scenario outage] [options]

Starts the whole system on this machine in one process: the control plane with an embedded
MQTT broker and a SQLite file, a simulated FRITZ!Box 7490 with a Huawei UMTS stick (realistic
latencies), a demo subscription with a customer login and an enrolled router, and the agent.
Prints the pages' URLs, the customer's login and an operator token, then a live timeline of
what the server sees, until Ctrl-C or SIGTERM.

Options:
  --scenario outage       play a scripted outage (DSL cut, failover, self-service boost,
                          applied, expiry, DSL back, failback), print each step with its time
                          offset, and exit: 0 when every step happened, 1 naming the one that
                          did not happen within its deadline
  --http-port <n>         HTTP port (default 8080, or a free one if 8080 is taken; SP_HTTP_PORT)
  --mqtt-port <n>         MQTT port (default 1883, or a free one if 1883 is taken; SP_MQTT_PORT)
                          a port given here or in the variable is used as given, or the demo stops
  --host <ip>             address to listen on (default 127.0.0.1: this machine only)
  --data-dir <dir>        database, agent state, demo.log and mail.log (default ./data/demo, or
                          $SP_DATA_DIR/demo); emptied at start, only if a demo made it
  --boost-seconds <n>     how long a boost lasts in the demo (default 15; production: 24 hours)
  --failback-seconds <n>  stable DSL before failback (default 5; production: 30)
  --latency-scale <x>     the simulated stick's latencies (default 1, realistic; 0 instant)
  -h, --help              this text

Logs go to demo.log in the data folder (level SP_LOG_LEVEL, default info); mails the server
sends are written to mail.log there, never sent.

Exit codes: 0 stopped cleanly or scenario passed, 1 scenario failed or start-up failed,
2 bad usage.`;

export interface DemoIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
}

const processIo: DemoIo = {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function run(argv: readonly string[], io: DemoIo = processIo): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoArgs(argv, io.env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`serviceplus demo: ${error.message}\nRun 'serviceplus demo --help' for usage.\n`);
      return 2;
    }
    throw error;
  }

  // Ctrl-C or SIGTERM at any time: stop what has started, then exit.
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      io.err('serviceplus demo: stopping now\n');
      process.exit(130);
    }
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    io.out(`Starting the ServicePlus demo${options.scenario ? ` (scenario ${options.scenario})` : ''}…\n`);
    const [{ startDemo }, { Observer }, { banner }] = await Promise.all([import('./stack.js'), import('./observer.js'), import('./banner.js')]);
    let stack: DemoStack;
    try {
      stack = await startDemo(options);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      io.err(`serviceplus demo: cannot start: ${message}\n`);
      return 1;
    }
    const observer = new Observer(stack);
    try {
      io.out(`\n${banner(stack, options)}\n`);
      return options.scenario === 'outage'
        ? await playOutage(stack, observer, options, io, stop.signal)
        : await runUntilStopped(stack, observer, io, stop.signal);
    } finally {
      await observer.stop();
      await stack.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runUntilStopped(stack: DemoStack, observer: Observer, io: DemoIo, stopped: AbortSignal): Promise<number> {
  const [{ narrate }, { Timeline }] = await Promise.all([import('./narrate.js'), import('./timeline.js')]);
  io.out('Timeline (what the server sees):\n');
  const timeline = new Timeline(io.out);
  observer.onChange((next, previous) => {
    for (const line of narrate(previous, next)) timeline.line(line);
  });
  stack.mailer.onSent((mail) => timeline.line(`mail to ${mail.to}: "${mail.subject}" (written to mail.log, not sent)`));
  observer.start();
  if (!stopped.aborted) await new Promise<void>((resolve) => stopped.addEventListener('abort', () => resolve(), { once: true }));
  io.out('\nStopping…\n');
  return 0;
}

async function playOutage(stack: DemoStack, observer: Observer, options: DemoOptions, io: DemoIo, stopped: AbortSignal): Promise<number> {
  const [{ runScenario }, { outageScenario }, { Timeline }] = await Promise.all([import('./scenario.js'), import('./scenarios/outage.js'), import('./timeline.js')]);
  io.out('Scenario "outage" (each step with its offset from the start):\n');
  const mailsBefore = stack.mailer.sent.length;
  observer.start();
  const timeline = new Timeline(io.out);
  const context: OutageContext = { stack, observer, memo: {} };
  const outcome = await runScenario(outageScenario(options), context, timeline, stopped);
  const total = (outcome.totalMs / 1000).toFixed(1);
  if (outcome.ok) {
    io.out(`\nscenario outage: passed, ${outcome.steps.length} steps in ${total} s (${stack.mailer.sent.length - mailsBefore} mail in ${stack.paths.mail})\n`);
    return 0;
  }
  io.out(`\nscenario outage: FAILED at step "${outcome.failedStep}": ${outcome.reason}\n  (logs: ${stack.paths.log})\n`);
  return 1;
}
