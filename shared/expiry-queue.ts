// One timer source for any number of expiries (boosts on the server, the profile on the agent).
// A binary heap keyed by due time with a single armed timer: scheduling costs O(log n) and a few
// dozen bytes, where a setTimeout or cron job per expiry costs hundreds of bytes to kilobytes.
import type { Cancel, Clock } from './clock.js';

interface Entry<K> {
  readonly key: K;
  readonly at: number;
}

export interface ExpiryQueueOptions {
  /**
   * The longest the queue sleeps before looking at the wall clock again. Timers run on a
   * monotonic clock, so after a wall-clock step an expiry would otherwise fire early or late by
   * the size of the step; re-checking bounds that error to this value.
   */
  readonly maxSleepMs?: number;
}

export class ExpiryQueue<K> {
  private readonly heap: Entry<K>[] = [];
  private readonly current = new Map<K, Entry<K>>();
  private cancelTimer: Cancel | undefined;
  private armedFor = Infinity;
  private readonly maxSleepMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: (key: K, at: number) => void,
    options: ExpiryQueueOptions = {},
  ) {
    this.maxSleepMs = options.maxSleepMs ?? 60_000;
  }

  /** Sets (or moves) the expiry of `key` to the wall-clock time `at`. */
  schedule(key: K, at: number): void {
    const entry = { key, at };
    this.current.set(key, entry);
    this.push(entry);
    if (at < this.armedFor) this.arm();
  }

  /** Forgets `key`; returns whether it was scheduled. */
  cancel(key: K): boolean {
    return this.current.delete(key);
  }

  has(key: K): boolean {
    return this.current.has(key);
  }

  dueAt(key: K): number | undefined {
    return this.current.get(key)?.at;
  }

  get size(): number {
    return this.current.size;
  }

  /** Stops the timer; scheduled keys stay, and `check` or a new `schedule` re-arms. */
  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedFor = Infinity;
  }

  /** Fires every expiry that is due now, then re-arms for the next one. */
  check(): void {
    const now = this.clock.now();
    for (let top = this.peek(); top && top.at <= now; top = this.peek()) {
      this.pop();
      this.current.delete(top.key);
      this.onExpire(top.key, top.at);
    }
    this.arm();
  }

  private arm(): void {
    this.stop();
    const next = this.peek();
    if (!next) return;
    const wait = Math.min(Math.max(0, next.at - this.clock.now()), this.maxSleepMs);
    this.armedFor = next.at;
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      this.armedFor = Infinity;
      this.check();
    }, wait);
  }

  /** The earliest live entry, dropping stale heap entries (cancelled or rescheduled keys). */
  private peek(): Entry<K> | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.current.get(top.key) === top) return top;
      this.pop();
    }
    return undefined;
  }

  private push(entry: Entry<K>): void {
    // Cancelled and moved keys leave stale entries behind; rebuild before they dominate.
    if (this.heap.length > 2 * this.current.size + 1024) {
      this.rebuild(); // includes `entry`, which is already current
      return;
    }
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private rebuild(): void {
    const live = [...this.current.values()].sort((a, b) => a.at - b.at);
    this.heap.length = 0;
    for (const entry of live) this.heap.push(entry); // a sorted array is a valid min-heap
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
