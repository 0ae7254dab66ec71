// What the server knows about the demo router, read in-process a few times a second: the
// device view (presence, path, stick, profile, usage), its recent events and the subscription's
// boosts. The live timeline narrates the differences; the scenario waits on conditions.
import type { DemoStack } from './stack.js';
import { boostView, type BoostView, type DeviceView } from '../server/services/views.js';

export interface EventView {
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface DemoView {
  readonly at: number;
  readonly device: DeviceView | null;
  /** Oldest first. */
  readonly events: readonly EventView[];
  /** Newest first. */
  readonly boosts: readonly BoostView[];
}

export const EMPTY_VIEW: DemoView = { at: 0, device: null, events: [], boosts: [] };

export class Observer {
  private current: DemoView = EMPTY_VIEW;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private readonly listeners = new Set<(next: DemoView, previous: DemoView) => void>();

  constructor(
    private readonly stack: Pick<DemoStack, 'server' | 'deviceId' | 'customer' | 'log'>,
    private readonly intervalMs = 200,
  ) {}

  get view(): DemoView {
    return this.current;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.polling = this.poll().then(() => undefined).finally(() => {
        this.polling = null;
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
  }

  onChange(listener: (next: DemoView, previous: DemoView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the server now (also what the poll does). */
  async poll(): Promise<DemoView> {
    const { server, deviceId, customer } = this.stack;
    try {
      const now = server.services.clock.now();
      const row = await server.services.devices.get(deviceId);
      const device = await server.services.devices.view(row);
      const events = (await server.services.devices.events(deviceId, { limit: 50 })).reverse();
      const boosts = (await server.services.boosts.list({ subscriptionId: customer.subscriptionId, limit: 10 })).map((boost) => boostView(boost, now));
      const previous = this.current;
      this.current = { at: now, device, events, boosts };
      for (const listener of this.listeners) listener(this.current, previous);
    } catch (error) {
      // The server is stopping, or the store is busy: try again on the next tick.
      this.stack.log.debug({ err: error }, 'demo: observing the server failed');
    }
    return this.current;
  }
}
