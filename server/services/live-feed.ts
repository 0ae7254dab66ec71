// What changed on which router, as it happens: the ingest (a stored presence, status, event,
// usage or ack) and the services (a new desired state) tell this feed, and the NOC dashboard's
// live route (server/http/routes/live.ts) passes it on as server-sent events. In-process only:
// it carries no data, just "device X changed because of Y"; readers fetch the current view, so a
// missed change is repaired by the next one or by a reconnect (which reloads the fleet).
import type { TopicKind } from '../../shared/contract/index.js';
import type { Logger } from '../../shared/log.js';

export interface DeviceChange {
  readonly deviceId: string;
  /** The uplink message that changed it, or `desired` when the server changed its desired state. */
  readonly cause: TopicKind;
}

export type DeviceChangeListener = (change: DeviceChange) => void;

export class LiveFeed {
  private readonly listeners = new Set<DeviceChangeListener>();

  constructor(private readonly log?: Logger) {}

  /** Calls `listener` for every change from now on; returns the function that stops it. */
  subscribe(listener: DeviceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Never throws: a failing listener is logged and the others still hear of the change. */
  deviceChanged(deviceId: string, cause: TopicKind): void {
    const change: DeviceChange = { deviceId, cause };
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.log?.warn({ err: error, deviceId, cause }, 'live listener failed');
      }
    }
  }
}
