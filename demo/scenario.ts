// Runs a scripted story: each step does something or waits for something, within its deadline,
// and prints one timeline line as it completes. The first step that does not happen in time
// ends the story, named in the result.
import type { Timeline } from './timeline.js';

export interface ScenarioStep<C> {
  readonly name: string;
  readonly deadlineMs: number;
  /** Does or waits for the step; resolves with what happened, in words. Stops when `signal` aborts. */
  run(context: C, signal: AbortSignal): Promise<string>;
  /** What the world looks like, for the failure message ("last seen: …"). */
  explain?(context: C): string;
}

export interface StepRecord {
  readonly name: string;
  /** From the scenario's start to the step's completion. */
  readonly atMs: number;
  readonly tookMs: number;
  readonly detail: string;
}

export type ScenarioOutcome =
  | { readonly ok: true; readonly steps: readonly StepRecord[]; readonly totalMs: number }
  | { readonly ok: false; readonly steps: readonly StepRecord[]; readonly failedStep: string; readonly reason: string; readonly totalMs: number };

export class StepDeadline extends Error {
  override readonly name = 'StepDeadline';
}

export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

const NAME_WIDTH = 16;

export async function runScenario<C>(
  steps: readonly ScenarioStep<C>[],
  context: C,
  timeline: Timeline,
  interrupt?: AbortSignal,
): Promise<ScenarioOutcome> {
  const done: StepRecord[] = [];
  for (const step of steps) {
    const began = timeline.elapsed();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new StepDeadline(`did not happen within ${duration(step.deadlineMs)}`)), step.deadlineMs);
    const onInterrupt = () => controller.abort(new Interrupted('interrupted (Ctrl-C)'));
    interrupt?.addEventListener('abort', onInterrupt, { once: true });
    if (interrupt?.aborted) onInterrupt();
    try {
      const detail = await Promise.race([step.run(context, controller.signal), aborted(controller.signal)]);
      const atMs = timeline.elapsed();
      done.push({ name: step.name, atMs, tookMs: atMs - began, detail });
      timeline.line(`${step.name.padEnd(NAME_WIDTH)} ${detail}`);
    } catch (error) {
      const cause = controller.signal.aborted ? (controller.signal.reason as Error).message : (error as Error).message;
      const reason = step.explain ? `${cause}; last seen: ${step.explain(context)}` : cause;
      if (!controller.signal.aborted) controller.abort(error);
      timeline.line(`${step.name.padEnd(NAME_WIDTH)} FAILED: ${reason}`);
      return { ok: false, steps: done, failedStep: step.name, reason, totalMs: timeline.elapsed() };
    } finally {
      clearTimeout(timer);
      interrupt?.removeEventListener('abort', onInterrupt);
    }
  }
  return { ok: true, steps: done, totalMs: timeline.elapsed() };
}

function duration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** Polls `probe` until it gives a value; rejects when `signal` aborts. */
export async function until<T>(signal: AbortSignal, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, everyMs = 100): Promise<T> {
  for (;;) {
    if (signal.aborted) throw signal.reason as Error;
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, everyMs);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}
