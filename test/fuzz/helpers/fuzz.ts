// How every fuzz property in test/fuzz runs: a bounded number of runs (CI keeps the folder under
// a minute), a fresh seed each time unless one is pinned, and on failure a message that says how
// to replay it. Locally:
//
//   SP_FUZZ_RUNS=20x npx tap test/fuzz/…     every property 20 times its CI runs
//   SP_FUZZ_RUNS=5000 npx tap test/fuzz/…    every property exactly 5000 runs
//   SP_FUZZ_SEED=… SP_FUZZ_PATH=… npx tap --grep=… test/fuzz/…   replay a failure (the
//                                             failure message prints this line ready to paste)
//   SP_FUZZ_REPORT=1 npx tap test/fuzz/…     print runs and duration per property
import fc from 'fast-check';
import type { Test } from 'tap';

interface RunsSetting {
  readonly factor: number;
  readonly exact: number | null;
}

function runsSetting(raw: string | undefined): RunsSetting {
  if (raw === undefined || raw.trim() === '') return { factor: 1, exact: null };
  const text = raw.trim().toLowerCase();
  const factor = /^(\d+(?:\.\d+)?)x$/.exec(text);
  if (factor) return { factor: Number(factor[1]), exact: null };
  if (/^\d+$/.test(text) && Number(text) > 0) return { factor: 1, exact: Number(text) };
  throw new Error(`SP_FUZZ_RUNS must be a count (5000) or a factor (20x), got ${JSON.stringify(raw)}`);
}

const setting = runsSetting(process.env['SP_FUZZ_RUNS']);
const pinnedSeed = process.env['SP_FUZZ_SEED'] === undefined ? null : Number(process.env['SP_FUZZ_SEED']);
const pinnedPath = process.env['SP_FUZZ_PATH'];

/** The runs a property gets: its CI count, scaled or replaced by SP_FUZZ_RUNS. */
export function runs(ciRuns: number): number {
  if (setting.exact !== null) return setting.exact;
  return Math.max(1, Math.round(ciRuns * setting.factor));
}

function freshSeed(): number {
  return pinnedSeed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
}

/**
 * Runs `property` `runs(ciRuns)` times as a tap assertion. A failure names the seed and the
 * shrunk counterexample, so `SP_FUZZ_SEED=<seed> SP_FUZZ_PATH=<path>` replays exactly it.
 */
export async function fuzz<T>(t: Test, name: string, property: fc.IProperty<T> | fc.IAsyncProperty<T>, ciRuns: number): Promise<void> {
  const numRuns = runs(ciRuns);
  const seed = freshSeed();
  const started = performance.now();
  try {
    await fc.assert(property as fc.IAsyncProperty<T>, { numRuns, seed, includeErrorInReport: true, ...(pinnedPath ? { path: pinnedPath } : {}) });
    t.pass(`${name} (${numRuns} runs)`);
  } catch (error) {
    // Only printable ASCII reaches the TAP stream: a raw U+2028 or CR in a counterexample splits
    // the `not ok` line, and tap then loses the failure altogether.
    const message = (error instanceof Error ? error.message : String(error)).replace(/[^\x20-\x7e\n]/gu, (c) =>
      [...c].map((u) => `\\u{${u.codePointAt(0)!.toString(16)}}`).join(''),
    );
    const path = /path: "([^"]+)"/.exec(message)?.[1];
    const replay = `SP_FUZZ_SEED=${seed}${path ? ` SP_FUZZ_PATH=${path}` : ''} npx tap --grep=${JSON.stringify(t.name)} <this file>`;
    t.fail(`${name}\n${message}\nreplay: ${replay}`);
  }
  if (process.env['SP_FUZZ_REPORT']) t.comment(`fuzz ${name}: ${numRuns} runs in ${Math.round(performance.now() - started)} ms (seed ${seed})`);
}

/** Fails the current run of a property with a readable reason (a thrown Error shows in the report). */
export function expect(condition: unknown, why: string | (() => string)): asserts condition {
  if (condition) return;
  const error = new Error(typeof why === 'string' ? why : why());
  error.stack = `Error: ${error.message}`; // the report shows the reason, not fast-check's frames
  throw error;
}
