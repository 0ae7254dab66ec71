// Time for business rules: every rule takes a Clock, so tests drive time instead of sleeping.

/** Cancels a timer; calling it twice, or after the timer ran, does nothing. */
export type Cancel = () => void;

export interface Clock {
  /** Wall-clock time, in milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): Cancel;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

interface PendingTimer {
  readonly at: number;
  readonly order: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told. `advance` lets time pass and runs the timers that fall due,
 * in order, each with `now()` at its due time; `jump` changes the wall clock without running
 * timers, as a clock step (NTP, a user) does on a real machine.
 */
export class TestClock implements Clock {
  private current: number;
  private timers: PendingTimer[] = [];
  private nextOrder = 0;

  constructor(start: number | string | Date = '2026-01-15T12:00:00Z') {
    this.current = typeof start === 'number' ? start : new Date(start).getTime();
    if (!Number.isFinite(this.current)) throw new RangeError(`TestClock: bad start time ${String(start)}`);
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Cancel {
    const timer: PendingTimer = { at: this.current + Math.max(0, ms), order: this.nextOrder++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** How many timers are waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Lets `ms` pass, running every timer that falls due (including ones those timers set). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let timer = this.takeDue(target); timer; timer = this.takeDue(target)) {
      this.current = Math.max(this.current, timer.at);
      timer.fn();
    }
    this.current = Math.max(this.current, target);
  }

  /**
   * Like `advance`, but lets promises settle after each timer, for code that awaits between
   * timers (a driver that sends a command, awaits the reply, then sets the next timer).
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (let timer = this.takeDue(target); timer; timer = this.takeDue(target)) {
      this.current = Math.max(this.current, timer.at);
      timer.fn();
      await settle();
    }
    this.current = Math.max(this.current, target);
    await settle();
  }

  /** Steps the wall clock by `ms` (negative goes back) without running any timer. */
  jump(ms: number): void {
    this.current += ms;
    this.timers = this.timers.map((t) => ({ ...t, at: t.at + ms }));
  }

  /** Sets the wall clock to `time`, running timers due up to it when it moves forward. */
  set(time: number | string | Date): void {
    const target = typeof time === 'number' ? time : new Date(time).getTime();
    if (target >= this.current) this.advance(target - this.current);
    else this.jump(target - this.current);
  }

  private takeDue(target: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.at > target) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.order < best.order)) best = t;
    }
    if (best) this.timers = this.timers.filter((t) => t !== best);
    return best;
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
