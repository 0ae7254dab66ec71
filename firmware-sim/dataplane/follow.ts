// Keeps the data plane's links in step with the simulated world: the DSL link carries packets
// only while the box's line is `up`, the mobile link only while the stick's data session is. The
// line and the stick change state synchronously and sometimes faster than `ip` runs (a flapping
// line), so changes are applied one at a time and coalesced: only the latest state of each link
// counts. Failures go to the logger; the simulation goes on.
import type { SimLogger } from '../index.js';
import type { DataPlane, Uplink } from './topology.js';

const UPLINKS: readonly Uplink[] = ['dsl', 'mobile'];

export class CarrierFollower {
  private readonly wanted: Record<Uplink, boolean>;
  private readonly applied: Record<Uplink, boolean>;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly dp: DataPlane,
    private readonly logger?: SimLogger,
  ) {
    this.applied = { ...dp.carrier() };
    this.wanted = { ...this.applied };
  }

  /** The simulated link state changed; the carrier follows (the `ip` command starts at once). */
  set(uplink: Uplink, up: boolean): void {
    if (this.stopped) return;
    this.wanted[uplink] = up;
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  /** Resolves once every change asked for so far is applied. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Ignores further changes and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.settled();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const uplink = UPLINKS.find((u) => this.wanted[u] !== this.applied[u]);
      if (uplink === undefined || this.stopped) return;
      const up = this.wanted[uplink];
      try {
        await (uplink === 'dsl' ? this.dp.setDslCarrier(up) : this.dp.setMobileCarrier(up));
      } catch (error) {
        this.logger?.warn({ uplink, up, error: error instanceof Error ? error.message : String(error) }, 'data plane: carrier not changed');
      }
      // Also after a failure: retrying a broken namespace in a loop helps nobody.
      this.applied[uplink] = up;
    }
  }
}
