// The simulator's composition root: resolves options, starts the router, plugs in the stick and
// opens the control interface; close() stops all of it.
import type { SimClock, Simulator, SimulatorOptions } from './index.js';
import { startControlServer, type ControlServer } from './control/http.js';
import { seededRandom } from './random.js';
import { Router } from './router/router.js';
import { resolveStickConfig } from './stick/config.js';
import { Stick } from './stick/stick.js';

const systemClock: SimClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

/** Starts a simulated FRITZ!Box and Huawei stick. See index.ts for the options and the API. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const random = seededRandom(options.seed ?? 1);
  let router: Router | null = null;
  let stick: Stick | null = null;
  let control: ControlServer | null = null;
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await control?.close();
    stick?.close();
    await router?.close();
  };

  try {
    if (options.router !== false) {
      router = new Router(options.router ?? {}, clock, options.logger);
      await router.listen();
    }
    if (options.stick !== false) {
      const stickOptions = options.stick ?? {};
      stick = new Stick(resolveStickConfig(stickOptions, clock), { dir: stickOptions.dir, name: stickOptions.name ?? 'ttyUSB0' }, random, options.logger);
      stick.start();
    }
    const simulator: Simulator = {
      router,
      stick,
      get controlUrl() {
        return control?.url ?? null;
      },
      close,
    };
    if (options.control !== null) control = await startControlServer(simulator, options.control ?? {});
    options.logger?.info({ router: router?.url ?? null, stick: stick?.devicePath ?? null, control: control?.url ?? null }, 'simulator started');
    return simulator;
  } catch (error) {
    await close();
    throw error;
  }
}
