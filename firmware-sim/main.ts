// The simulator's composition root: resolves options, starts the router, builds the optional data
// plane (its links follow the line and the stick's session), plugs in the stick and opens the
// control interface; close() stops all of it.
import type { SimClock, Simulator, SimulatorOptions } from './index.js';
import { startControlServer, type ControlServer } from './control/http.js';
import { CarrierFollower, createDataPlane, type DataPlane } from './dataplane/index.js';
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
  let dataPlane: DataPlane | null = null;
  let follower: CarrierFollower | null = null;
  let closed = false;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await control?.close();
    await follower?.stop(); // the stick's session ends with it: nothing to follow any more
    stick?.close();
    await router?.close();
    await dataPlane?.destroy();
  };

  try {
    if (options.router !== false) {
      router = new Router(options.router ?? {}, clock, options.logger);
      await router.listen();
    }
    if (options.dataPlane) {
      // No session before the stick is plugged in: the mobile link starts down.
      dataPlane = await createDataPlane({ ...options.dataPlane, dslUp: router === null || router.line().state === 'up', mobileUp: false });
      const links = new CarrierFollower(dataPlane, options.logger);
      follower = links;
      router?.onLineChange((state) => links.set('dsl', state === 'up'));
    }
    if (options.stick !== false) {
      const stickOptions = options.stick ?? {};
      stick = new Stick(resolveStickConfig(stickOptions, clock), { dir: stickOptions.dir, name: stickOptions.name ?? 'ttyUSB0' }, random, options.logger);
      const links = follower;
      if (links) stick.onSessionChange((up) => links.set('mobile', up));
      stick.start();
    }
    const simulator: Simulator = {
      router,
      stick,
      get controlUrl() {
        return control?.url ?? null;
      },
      dataPlane,
      dataPlaneSettled: async () => follower?.settled(),
      close,
    };
    if (options.control !== null) control = await startControlServer(simulator, options.control ?? {});
    options.logger?.info({ router: router?.url ?? null, stick: stick?.devicePath ?? null, control: control?.url ?? null, namespaces: dataPlane?.namespaces ?? null }, 'simulator started');
    return simulator;
  } catch (error) {
    await close();
    throw error;
  }
}
