// What other multi-WAN systems take to declare the same DSL cut, computed from their documented
// defaults (pure; no such system runs here). The cut falls at a uniformly random moment of their
// probe cycle; each model follows the program's own loop.
//
// OpenWrt mwan3 (mwan3track, defaults in the script: interval 10 s, failure_interval = interval,
// timeout 4 s, count 1, down 5, up 5, reliability 1; the package's shipped /etc/config/mwan3
// tracks 4 IPs with reliability 2): each round pings the targets one after another (a lost ping
// costs the whole timeout) until `reliability` answered; a failed round lowers the score, and the
// interface goes offline on the `down`-th failed round in a row. Used when the router's own WAN
// interface stays up (the agent sits behind the box, whose LAN stays up when DSL drops).
//
// pfSense dpinger (pfSense's defaults: probe interval 500 ms, loss interval 2000 ms, time period
// 60000 ms, alert interval 1000 ms, packet loss threshold "down" 20 %): every probe interval a
// probe goes out; one unanswered after the loss interval counts as lost; the loss percentage is
// lost / (received + lost) over the probes of the time period (those still inside the loss
// interval count as neither); the alarm is raised at the first alert check where it exceeds 20 %.

export interface Mwan3Settings {
  readonly intervalS: number;
  readonly failureIntervalS: number;
  readonly timeoutS: number;
  readonly count: number;
  readonly down: number;
  readonly targets: number;
  readonly reliability: number;
}

export const MWAN3_DEFAULTS: Mwan3Settings = { intervalS: 10, failureIntervalS: 10, timeoutS: 4, count: 1, down: 5, targets: 1, reliability: 1 };
/** The shipped config: 4 track IPs, reliability 2 (the script's other defaults). */
export const MWAN3_SHIPPED: Mwan3Settings = { ...MWAN3_DEFAULTS, targets: 4, reliability: 2 };

/** Seconds from the cut to mwan3 declaring the interface offline; `phase` in [0, 1) of its cycle. */
export function mwan3DetectionS(settings: Mwan3Settings, phase: number): number {
  // Before the cut, rounds succeed at once and sleep `interval`: the next round starts after
  // (1 − phase) of an interval. With the line dead every ping of a round times out (count pings
  // each waiting `timeout`), and no target answers, so every target is tried.
  const failedRound = settings.targets * settings.count * settings.timeoutS;
  let t = (1 - phase) * settings.intervalS + failedRound; // end of the first failed round
  for (let failed = 1; failed < settings.down; failed++) t += settings.failureIntervalS + failedRound;
  return t;
}

export interface DpingerSettings {
  readonly sendIntervalMs: number;
  readonly lossIntervalMs: number;
  readonly timePeriodMs: number;
  readonly alertIntervalMs: number;
  readonly lossAlarmPercent: number;
}

export const PFSENSE_DPINGER_DEFAULTS: DpingerSettings = { sendIntervalMs: 500, lossIntervalMs: 2000, timePeriodMs: 60_000, alertIntervalMs: 1000, lossAlarmPercent: 20 };

/**
 * Seconds from the cut to dpinger's loss alarm. `sendPhase` and `alertPhase` in [0, 1): where
 * the cut falls in the probe and the alert cycles. Every probe sent before the cut was answered.
 */
export function dpingerDetectionS(settings: DpingerSettings, sendPhase: number, alertPhase: number): number {
  const slots = Math.floor(settings.timePeriodMs / settings.sendIntervalMs);
  const firstProbe = (1 - sendPhase) * settings.sendIntervalMs; // first probe after the cut (ms)
  for (let check = (1 - alertPhase) * settings.alertIntervalMs; ; check += settings.alertIntervalMs) {
    const sentAfterCut = check < firstProbe ? 0 : Math.floor((check - firstProbe) / settings.sendIntervalMs) + 1;
    const inWindow = Math.min(sentAfterCut, slots);
    const lost = Math.max(0, sentAfterCut - Math.ceil(settings.lossIntervalMs / settings.sendIntervalMs));
    const received = slots - inWindow;
    const lostInWindow = Math.min(lost, inWindow);
    const percent = lostInWindow === 0 ? 0 : Math.floor((lostInWindow * 100) / (received + lostInWindow));
    if (percent > settings.lossAlarmPercent) return check / 1000;
  }
}

/** Deterministic evenly spread phases, so the figures are the same on every run. */
export function phases(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + 0.5) / count);
}
