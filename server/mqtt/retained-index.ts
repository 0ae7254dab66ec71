// Aedes' in-memory persistence with its retained messages indexed by topic (issue 9). On every
// SUBSCRIBE the stock one tests each retained topic against the filter: O(retained messages) per
// subscription, O(N²) when N routers reconnect at once (a server restart), which capped the
// embedded broker at about 5,000 routers (bench/fleet.ts). A router subscribes to one exact topic
// (its own `desired`), so an exact filter is answered from a map of topic → packet kept beside the
// store; a filter with `+` or `#` (the server's ingest) goes the stock way. Everything else is
// aedes-persistence's own code, unchanged.
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';

interface RetainedPacket {
  readonly topic: string;
  readonly payload: Buffer;
}

interface AsyncMemoryPersistence {
  storeRetained(packet: RetainedPacket): Promise<void>;
  createRetainedStream(pattern: string): Readable;
  createRetainedStreamCombi(patterns: readonly string[]): Readable;
}

type AsyncMemoryPersistenceClass = new (options: object) => AsyncMemoryPersistence;
type CallBackPersistenceClass = new (factory: (options: object) => AsyncMemoryPersistence, options?: object) => unknown;

// aedes-persistence's two layers (the in-memory store, and the callback API Aedes calls), from the
// version Aedes itself depends on; their type declarations cover the package's main entry only.
const requireFromAedes = createRequire(createRequire(import.meta.url).resolve('aedes'));
const MemoryPersistence = requireFromAedes('aedes-persistence/asyncPersistence.js') as AsyncMemoryPersistenceClass;
const { CallBackPersistence } = requireFromAedes('aedes-persistence/callBackPersistence.js') as { CallBackPersistence: CallBackPersistenceClass };

const isExact = (filter: string) => !filter.includes('+') && !filter.includes('#') && !filter.startsWith('$share/');

class IndexedRetainedPersistence extends MemoryPersistence {
  private readonly byTopic = new Map<string, RetainedPacket>();

  override async storeRetained(packet: RetainedPacket): Promise<void> {
    await super.storeRetained(packet);
    if (packet.payload.length === 0) this.byTopic.delete(packet.topic);
    else this.byTopic.set(packet.topic, { ...packet });
  }

  override createRetainedStream(pattern: string): Readable {
    return this.createRetainedStreamCombi([pattern]);
  }

  override createRetainedStreamCombi(patterns: readonly string[]): Readable {
    if (!patterns.every(isExact)) return super.createRetainedStreamCombi(patterns);
    const found: RetainedPacket[] = [];
    for (const topic of patterns) {
      const packet = this.byTopic.get(topic);
      if (packet) found.push(packet);
    }
    return ReadableStream.from(found);
  }
}

/** A persistence for `Aedes.createBroker({ persistence })`: the stock in-memory one, with retained messages indexed. */
export function indexedMemoryPersistence(): unknown {
  return new CallBackPersistence((options) => new IndexedRetainedPersistence(options));
}
