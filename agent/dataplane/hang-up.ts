// Failback without a gap: the failover machine asks the stick to hang up first and then reports
// the path change, and the kernel's route moves a process spawn later; a stick that hangs up
// quickly would take the mobile link away while the default route still points at it. With a
// data plane, the hang-up waits until the route has been moved (or the attempt failed).
import type { Modem } from '../modem/api.js';

/**
 * The modem as the failover controller should drive it: `setSessionWanted(false)` is carried out
 * once `routed()` (the data plane's latest path change, read after the current failover step)
 * settles; a session wanted again meanwhile cancels the pending hang-up. Everything else is the
 * modem itself.
 */
export function hangUpAfterRoute(modem: Modem, routed: () => Promise<unknown>): Modem {
  let generation = 0;
  return {
    start: () => modem.start(),
    stop: () => modem.stop(),
    snapshot: () => modem.snapshot(),
    on: (listener) => modem.on(listener),
    setDataAllowed: (allowed) => modem.setDataAllowed(allowed),
    requestRates: (rates) => modem.requestRates(rates),
    readCounters: () => modem.readCounters(),
    setSessionWanted(wanted) {
      const mine = ++generation;
      if (wanted) return modem.setSessionWanted(true);
      // A microtask later the step that asked has also reported its path change.
      void Promise.resolve()
        .then(routed)
        .catch(() => {})
        .then(() => {
          if (mine === generation) modem.setSessionWanted(false);
        });
    },
  };
}
