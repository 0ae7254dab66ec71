// What every benchmark module exports and returns. A figure is one measured number beside the
// baseline it is compared with, measured in the same run (or computed, and then it says how).

export interface BenchContext {
  /** --quick: small sizes and short phases, for CI (figures printed, not judged). */
  readonly quick: boolean;
  /** A progress line on stderr (the table goes to stdout). */
  log(line: string): void;
  /** A fresh directory for this benchmark's files, removed afterwards. */
  readonly workDir: string;
}

export interface Baseline {
  /** What the figure is compared with, e.g. "bare Fastify route, same JSON from memory". */
  readonly name: string;
  readonly value: number;
}

export interface Figure {
  /** What was measured, e.g. "DSL cut → failover decision p95". */
  readonly name: string;
  readonly value: number;
  /** ms, µs, req/s, MB, %, agents, … */
  readonly unit: string;
  readonly baseline?: Baseline | undefined;
  /** The goal the issue names, in words, e.g. "< 1500 ms". */
  readonly goal?: string | undefined;
  /** Whether the goal is met (undefined: no goal, or nothing to judge). */
  readonly met?: boolean | undefined;
  /** How it was measured, when the name alone does not say. */
  readonly note?: string | undefined;
}

export interface BenchOutput {
  readonly figures: readonly Figure[];
  /** What ran, exactly, and anything a reader needs to trust the figures. */
  readonly notes: readonly string[];
}

export interface Benchmark {
  /** Short name for --only, e.g. "failover". */
  readonly name: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<BenchOutput>;
}

export interface BenchResult {
  readonly name: string;
  readonly title: string;
  readonly durationS: number;
  readonly figures: readonly (Figure & { readonly ratio: number | null })[];
  readonly notes: readonly string[];
  /** Set when the benchmark failed; its figures are then whatever it had. */
  readonly error?: string;
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** Load average when the run started: other work on the machine skews the figures. */
  readonly loadAverage: readonly number[];
}

export interface RunReport {
  readonly mode: 'quick' | 'full';
  readonly startedAt: string;
  readonly durationS: number;
  readonly machine: MachineInfo;
  readonly results: readonly BenchResult[];
}
