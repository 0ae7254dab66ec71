// A micro-cache of the device status route's answer (issue 9, bench/api.ts). The NOC polls
// GET /api/v1/devices/:deviceId; building the answer costs two store reads and a serialization,
// several times a bare Fastify request. The serialized answer is kept per device for at most
// `ttlMs` (SP_STATUS_CACHE_MS, default 1 s) and dropped at once by every change this instance
// makes to that router: a stored uplink message, a new or published desired state, new
// credentials (server/main.ts), and any write request to the API (server/app.ts). What only
// another server instance changed, or a router's last-seen time on a message that changed
// nothing else, shows after at most `ttlMs`. A load that a change overtook is not kept.
import { LRUCache } from 'lru-cache';

interface Entry {
  readonly json: string;
  /** The billing period the answer's usage belongs to: a new month is a miss. */
  readonly period: string;
}

export class DeviceViewCache {
  private readonly entries: LRUCache<string, Entry> | null;
  /** A token per device whose answer is being built; a change in between removes it. */
  private readonly loading = new Map<string, symbol>();

  constructor(ttlMs: number, max = 10_000) {
    this.entries = ttlMs > 0 ? new LRUCache<string, Entry>({ max, ttl: ttlMs }) : null;
  }

  /** The device's answer for `period`: from the cache, or built by `load` (and kept, unless the device changed meanwhile). */
  async read(deviceId: string, period: string, load: () => Promise<string>): Promise<string> {
    if (this.entries === null) return load();
    const hit = this.entries.get(deviceId);
    if (hit !== undefined && hit.period === period) return hit.json;
    const token = Symbol(deviceId);
    this.loading.set(deviceId, token);
    try {
      const json = await load();
      if (this.loading.get(deviceId) === token) this.entries.set(deviceId, { json, period });
      return json;
    } finally {
      if (this.loading.get(deviceId) === token) this.loading.delete(deviceId);
    }
  }

  /** The router changed: its next answer is built afresh. */
  invalidate(deviceId: string): void {
    this.entries?.delete(deviceId);
    this.loading.delete(deviceId);
  }

  /** Something that may touch any router changed (a write request to the API). */
  clear(): void {
    this.entries?.clear();
    this.loading.clear();
  }
}
