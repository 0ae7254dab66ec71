// A sweep that may be asked for at any time (a timer, the cron, a test): calls while it runs
// share that run, and one more run follows if it was asked for meanwhile, so nothing asked for
// is missed and two runs never overlap. A failing run is reported, never thrown.
export function coalesced(work: () => Promise<number>, onError: (error: unknown) => void): () => Promise<number> {
  let running: Promise<number> | null = null;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        try {
          total += await work();
        } catch (error) {
          onError(error);
        }
      } while (again);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  };
}
