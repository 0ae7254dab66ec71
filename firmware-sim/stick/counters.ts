// The stick's data counters as ^DSFLOWQRY / ^DSFLOWRPT report them: "last" is the current (or
// last) session, "total" everything since ^DSFLOWCLR or power-up. Plain data and functions;
// bytes are kept as floats (continuous traffic accrues fractions) and reported floored.

export interface Counters {
  lastTx: number;
  lastRx: number;
  lastMsFrozen: number;
  totalTx: number;
  totalRx: number;
  totalMsFrozen: number;
  /** Clock time the running session (or the clear during it) started counting; null when offline. */
  runningSince: number | null;
}

export interface CounterReading {
  readonly lastSeconds: number;
  readonly lastTx: number;
  readonly lastRx: number;
  readonly totalSeconds: number;
  readonly totalTx: number;
  readonly totalRx: number;
}

export function freshCounters(): Counters {
  return { lastTx: 0, lastRx: 0, lastMsFrozen: 0, totalTx: 0, totalRx: 0, totalMsFrozen: 0, runningSince: null };
}

export function startSession(c: Counters, now: number): void {
  c.lastTx = 0;
  c.lastRx = 0;
  c.lastMsFrozen = 0;
  c.runningSince = now;
}

export function endSession(c: Counters, now: number): void {
  if (c.runningSince === null) return;
  const elapsed = Math.max(0, now - c.runningSince);
  c.lastMsFrozen += elapsed;
  c.totalMsFrozen += elapsed;
  c.runningSince = null;
}

export function addBytes(c: Counters, tx: number, rx: number): void {
  c.lastTx += tx;
  c.lastRx += rx;
  c.totalTx += tx;
  c.totalRx += rx;
}

/** ^DSFLOWCLR: everything to zero; a running session keeps counting from now. */
export function clearCounters(c: Counters, now: number): void {
  const running = c.runningSince !== null;
  Object.assign(c, freshCounters());
  if (running) c.runningSince = now;
}

export function readCounters(c: Counters, now: number): CounterReading {
  const running = c.runningSince === null ? 0 : Math.max(0, now - c.runningSince);
  return {
    lastSeconds: Math.floor((c.lastMsFrozen + running) / 1000),
    lastTx: Math.floor(c.lastTx),
    lastRx: Math.floor(c.lastRx),
    totalSeconds: Math.floor((c.totalMsFrozen + running) / 1000),
    totalTx: Math.floor(c.totalTx),
    totalRx: Math.floor(c.totalRx),
  };
}
