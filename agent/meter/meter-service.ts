// Meters mobile data from the stick's counters (^DSFLOWRPT every ~2 s, ^DSFLOWQRY on demand) and
// reports it. Reported usage is never lost: the state file is written (atomically) before a
// usage figure leaves, and after a restart the bytes counted since the last write are recovered
// from the stick's counters. Writes happen at most once a minute (flash wears out), plus on a
// fair-use threshold and on shutdown.
import { z } from 'zod';
import type { Cancel, Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/log.js';
import type { DataCounters, Modem } from '../modem/api.js';
import { describeError } from '../errors.js';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file.js';
import type { CounterSample } from './counters.js';
import { applySample, fastReadDelayMs, initialUsage, rollPeriod, usedBytes, UsageStateSchema, type PeriodUsage, type ThresholdPercent, type UsageState } from './usage.js';

const MeterFileSchema = UsageStateSchema.extend({
  v: z.literal(1),
  /** The seq of the last usage message this state was reported with. */
  usageSeq: z.number().int().nonnegative(),
  savedAt: z.number().int(),
});

/** Drift allowed between the stick's session clock and ours. */
const SESSION_SLACK_MS = 5_000;

export interface UsageReport extends PeriodUsage {
  readonly seq: number;
  readonly at: number;
}

export interface FairUseReport {
  readonly period: string;
  readonly thresholdPercent: ThresholdPercent;
  readonly usedBytes: number;
  readonly capBytes: number;
  readonly at: number;
}

export interface MeterReports {
  readonly usage: readonly UsageReport[];
  readonly fairUse: readonly FairUseReport[];
}

export interface MeterServiceOptions {
  readonly modem: Modem;
  readonly clock: Clock;
  readonly log: Logger;
  readonly file: string;
  /** R9 cap, upload and download together. */
  readonly capBytes: number;
  /** The least time between two state writes (default 60 s). */
  readonly persistIntervalMs: number;
  /** The fastest the stick can move data (boost rate), for reading often enough near the cap. */
  readonly maxBytesPerSecond: number;
  /** Sends the reports; called only once the state they come from is on disk. */
  readonly report: (reports: MeterReports) => Promise<void>;
}

export class MeterService {
  private state: UsageState;
  private usageSeq: number;
  private version = 0;
  private savedVersion = 0;
  private closed: PeriodUsage[] = [];
  private crossed: FairUseReport[] = [];
  private chain: Promise<void> = Promise.resolve();
  private cancelPersist: Cancel | null = null;
  private cancelFast: Cancel | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly capListeners = new Set<(reached: boolean) => void>();
  private capWasReached: boolean;
  private stopped = false;
  private savedUsage: PeriodUsage;
  private startedAt = Number.POSITIVE_INFINITY;
  /** When the stick was last lost, until the first reading after it. */
  private lostAt: number | null = null;

  private constructor(
    private readonly options: MeterServiceOptions,
    state: UsageState,
    usageSeq: number,
  ) {
    this.state = state;
    this.usageSeq = usageSeq;
    this.capWasReached = state.fired.includes(100);
    this.savedUsage = { period: state.period, upBytes: state.upBytes, downBytes: state.downBytes };
  }

  static async open(options: MeterServiceOptions): Promise<MeterService> {
    const loaded = await readJsonFile(options.file, MeterFileSchema);
    if (loaded.kind === 'invalid') options.log.error({ file: options.file, error: loaded.error }, 'meter state unreadable; starting from zero');
    if (loaded.kind === 'loaded') {
      const { v: _v, usageSeq, savedAt: _s, ...state } = loaded.value;
      return new MeterService(options, state, usageSeq);
    }
    return new MeterService(options, initialUsage(options.clock.now()), 0);
  }

  start(): void {
    this.startedAt = this.options.clock.now();
    let connected = this.options.modem.snapshot().state === 'connected';
    this.unsubscribe = this.options.modem.on((event) => {
      if (event.type === 'lost') this.lostAt = this.options.clock.now();
      if (event.type === 'counters') this.onCounters(event.counters);
      if (event.type !== 'state') return;
      // At a session's start and end, read the totals (^DSFLOWQRY): the ~2 s reports carry only
      // the session's own figures, which would lose the tail of a session that just ended.
      const now = event.snapshot.state === 'connected';
      if (now !== connected) void this.readNow(now ? 'session up' : 'session down');
      connected = now;
    });
    this.roll();
    this.armPersist();
    // Recover what the stick counted since the last write (a restart, a crash).
    void this.readNow('start');
  }

  /** Usage as counted so far, including what is not on disk yet. */
  current(): PeriodUsage {
    return { period: this.state.period, upBytes: this.state.upBytes, downBytes: this.state.downBytes };
  }

  /** Usage as last written to disk: the figure that may be shown to others (status). */
  saved(): PeriodUsage {
    return this.savedUsage;
  }

  /** R9: the cap is reached in the current period. */
  capReached(): boolean {
    return this.state.fired.includes(100);
  }

  onCapChange(listener: (reached: boolean) => void): () => void {
    this.capListeners.add(listener);
    return () => this.capListeners.delete(listener);
  }

  /** Feeds one reading (the modem's events call this; tests may too). */
  onCounters(counters: DataCounters): void {
    if (this.stopped) return;
    const sample: CounterSample = {
      sessionTxBytes: counters.sessionTxBytes,
      sessionRxBytes: counters.sessionRxBytes,
      sessionSeconds: counters.sessionSeconds,
      totalTxBytes: counters.totalTxBytes,
      totalRxBytes: counters.totalRxBytes,
      readAt: counters.readAt,
    };
    if (this.lostAt !== null) this.afterLoss(sample, this.lostAt);
    if (this.state.last === null) this.firstBaseline(sample);
    const result = applySample(this.state, sample, this.options.capBytes);
    this.state = result.state;
    this.version++;
    if (result.closed) this.closed.push(result.closed);
    if (result.kind === 'reset') this.options.log.info({ added: result.addedBytes }, 'stick counters restarted');
    if (result.kind === 'wrap') this.options.log.info({ added: result.addedBytes }, 'stick counter wrapped');
    const now = this.options.clock.now();
    for (const threshold of result.crossed) {
      this.crossed.push({ period: this.state.period, thresholdPercent: threshold, usedBytes: usedBytes(this.state), capBytes: this.options.capBytes, at: now });
    }
    this.checkCap();
    if (result.crossed.length > 0 || result.closed) void this.flush();
    this.armFastRead();
  }

  /**
   * R9: the stick went away while we watched (unplugged, restarted) and its counters start again
   * from zero (HARDWARE.md). The first reading after that is measured from the last one as usual
   * only when its session is older than the loss (the stick kept its counters); a younger session
   * is counted from zero. Without this, a restart after a short session looked like the same
   * session still running, and the bytes before the restart were taken off the new ones (found by
   * test/soak/soak.test.ts).
   */
  private afterLoss(sample: CounterSample, lostAt: number): void {
    this.lostAt = null;
    if (sample.sessionSeconds * 1000 > sample.readAt - lostAt + SESSION_SLACK_MS) return;
    const totals = sample.totalTxBytes !== null && sample.totalRxBytes !== null ? 0 : null;
    const zero: CounterSample = { sessionTxBytes: 0, sessionRxBytes: 0, sessionSeconds: 0, totalTxBytes: totals, totalRxBytes: totals, readAt: lostAt };
    this.state = { ...this.state, last: zero, anchor: null, sinceAnchor: { up: 0, down: 0 } };
  }

  /**
   * With no reading ever kept (a fresh install), the counters' past is unknown and not counted;
   * but a session that began after this agent started is ours from its first byte: its start is
   * the baseline.
   */
  private firstBaseline(sample: CounterSample): void {
    const sessionStart = sample.readAt - sample.sessionSeconds * 1000;
    if (sessionStart < this.startedAt - 2_000) return;
    const baseline: CounterSample = {
      sessionTxBytes: 0,
      sessionRxBytes: 0,
      sessionSeconds: 0,
      totalTxBytes: sample.totalTxBytes === null ? null : Math.max(0, sample.totalTxBytes - sample.sessionTxBytes),
      totalRxBytes: sample.totalRxBytes === null ? null : Math.max(0, sample.totalRxBytes - sample.sessionRxBytes),
      readAt: sessionStart,
    };
    this.state = applySample(this.state, baseline, this.options.capBytes).state;
  }

  /** Writes the state and sends the reports, if anything changed since the last write. */
  flush(): Promise<void> {
    this.chain = this.chain.then(() => this.flushNow()).catch((error: unknown) => {
      this.options.log.error({ err: describeError(error) }, 'meter state not saved; will retry');
    });
    return this.chain;
  }

  /** Resolves once the writes and reports started so far are done. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Reads the counters one last time (bounded), then writes and reports. */
  async stop(finalReadTimeoutMs = 2_000): Promise<void> {
    this.cancelPersist?.();
    this.cancelFast?.();
    await Promise.race([this.readNow('stop'), new Promise<void>((resolve) => setTimeout(resolve, finalReadTimeoutMs).unref())]);
    this.stopped = true;
    this.cancelFast?.();
    this.unsubscribe?.();
    await this.flush();
  }

  private async flushNow(): Promise<void> {
    if (this.version === this.savedVersion && this.closed.length === 0 && this.crossed.length === 0) return;
    const version = this.version;
    const closed = this.closed;
    const crossed = this.crossed;
    const at = this.options.clock.now();
    const firstSeq = this.usageSeq + 1;
    const usageSeq = this.usageSeq + closed.length + 1;
    const file = { v: 1 as const, ...this.state, usageSeq, savedAt: at };
    await writeFileAtomic(this.options.file, JSON.stringify(file));
    this.usageSeq = usageSeq;
    this.savedVersion = version;
    this.savedUsage = { period: file.period, upBytes: file.upBytes, downBytes: file.downBytes };
    this.closed = this.closed.slice(closed.length);
    this.crossed = this.crossed.slice(crossed.length);
    const usage: UsageReport[] = [
      ...closed.map((c, i) => ({ ...c, seq: firstSeq + i, at })),
      { period: file.period, upBytes: file.upBytes, downBytes: file.downBytes, seq: usageSeq, at },
    ];
    await this.options.report({ usage, fairUse: crossed });
  }

  private roll(): void {
    const rolled = rollPeriod(this.state, this.options.clock.now());
    if (!rolled.closed) return;
    this.state = rolled.state;
    this.closed.push(rolled.closed);
    this.version++;
    this.checkCap();
    void this.flush();
  }

  private checkCap(): void {
    const reached = this.capReached();
    if (reached === this.capWasReached) return;
    this.capWasReached = reached;
    for (const listener of this.capListeners) listener(reached);
  }

  private armPersist(): void {
    this.cancelPersist = this.options.clock.setTimeout(() => {
      this.roll();
      void this.flush();
      if (!this.stopped) this.armPersist();
    }, this.options.persistIntervalMs);
  }

  /** Near the cap the stick's own 2 s reports are too sparse: read it more often. */
  private armFastRead(): void {
    if (this.cancelFast || this.stopped) return;
    const delay = fastReadDelayMs(this.state, this.options.capBytes, this.options.maxBytesPerSecond);
    if (delay === null) return;
    this.cancelFast = this.options.clock.setTimeout(() => {
      this.cancelFast = null;
      void this.readNow('near the cap').then(() => this.armFastRead());
    }, delay);
  }

  private async readNow(why: string): Promise<void> {
    try {
      this.onCounters(await this.options.modem.readCounters());
    } catch (error) {
      this.options.log.debug({ err: describeError(error), why }, 'counters not read');
    }
  }
}
