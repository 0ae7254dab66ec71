// The scenario runner: steps in order, each line with its offset; the first step that does not
// happen within its deadline ends the story and is named, with what was last seen.
import t from 'tap';
import { runScenario, until, type ScenarioStep } from '../../demo/scenario.js';
import { Timeline } from '../../demo/timeline.js';

function collect(): { timeline: Timeline; text: () => string } {
  let text = '';
  return { timeline: new Timeline((chunk) => (text += chunk)), text: () => text };
}

t.test('every step happens: ok, one line each', async (t) => {
  const { timeline, text } = collect();
  const state = { ready: false };
  const steps: ScenarioStep<typeof state>[] = [
    { name: 'first', deadlineMs: 5_000, run: async (s) => ((s.ready = true), 'did the first thing') },
    { name: 'second', deadlineMs: 5_000, run: async (s, signal) => (await until(signal, () => s.ready), 'saw it') },
  ];
  const outcome = await runScenario(steps, state, timeline);
  t.ok(outcome.ok);
  t.same(outcome.steps.map((s) => s.name), ['first', 'second']);
  t.match(text(), /^  \+\s+\d+\.\ds  first\s+did the first thing\n  \+\s+\d+\.\ds  second\s+saw it\n$/);
});

t.test('a step that never happens fails by name, and later steps do not run', async (t) => {
  const { timeline, text } = collect();
  let thirdRan = false;
  const steps: ScenarioStep<null>[] = [
    { name: 'first', deadlineMs: 5_000, run: async () => 'done' },
    { name: 'never', deadlineMs: 50, explain: () => 'path dsl', run: (_, signal) => until<string>(signal, () => null) },
    { name: 'third', deadlineMs: 5_000, run: async () => ((thirdRan = true), 'done') },
  ];
  const outcome = await runScenario(steps, null, timeline);
  t.notOk(outcome.ok);
  t.match(outcome, { failedStep: 'never', reason: 'did not happen within 50 ms; last seen: path dsl' });
  t.notOk(thirdRan);
  t.match(text(), /never\s+FAILED: did not happen within 50 ms; last seen: path dsl/);
});

t.test('a step that throws fails with its error', async (t) => {
  const { timeline } = collect();
  const outcome = await runScenario([{ name: 'login', deadlineMs: 5_000, run: async () => Promise.reject(new Error('HTTP 401')) }], null, timeline);
  t.match(outcome, { ok: false, failedStep: 'login', reason: 'HTTP 401' });
});

t.test('an interrupt stops the step in progress', async (t) => {
  const { timeline } = collect();
  const interrupt = new AbortController();
  const steps: ScenarioStep<null>[] = [{ name: 'waiting', deadlineMs: 60_000, run: (_, signal) => until<string>(signal, () => null) }];
  const running = runScenario(steps, null, timeline, interrupt.signal);
  interrupt.abort();
  t.match(await running, { ok: false, failedStep: 'waiting', reason: /interrupted/ });
});
