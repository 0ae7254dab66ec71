// What a stored text parses to, remembered while the text stays the same (issue 9): the device
// route read a router's status and its 20 events from the store and parsed and validated the same
// JSON again on every request (a sixth of its time). The store is still read every time; only
// identical text skips the parse, so nothing here can be stale. Bounded: past `limit` keys the
// least recently used goes (lru-cache). The values are shared between callers, who must not change them.
import { LRUCache } from 'lru-cache';

export class ParseMemo<T> {
  private readonly entries: LRUCache<string, { readonly text: string; readonly value: T }>;

  constructor(limit: number) {
    this.entries = new LRUCache({ max: limit });
  }

  /** `parse(text)`, or what it gave the last time `key` had this very text. */
  get(key: string, text: string, parse: (text: string) => T): T {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.text === text) return entry.value;
    const value = parse(text);
    this.entries.set(key, { text, value });
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
