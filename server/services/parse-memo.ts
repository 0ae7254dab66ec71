// What a stored text parses to, remembered while the text stays the same (issue 9): the device
// route read a router's status and its 20 events from the store and parsed and validated the same
// JSON again on every request (a sixth of its time). The store is still read every time; only
// identical text skips the parse, so nothing here can be stale. Bounded: past `limit` keys the
// least recently used goes. The values are shared between callers, who must not change them.
export class ParseMemo<T> {
  private readonly entries = new Map<string, { readonly text: string; readonly value: T }>();

  constructor(private readonly limit: number) {}

  /** `parse(text)`, or what it gave the last time `key` had this very text. */
  get(key: string, text: string, parse: (text: string) => T): T {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.entries.delete(key); // re-inserted below: the map's order is least recently used first
      if (entry.text === text) {
        this.entries.set(key, entry);
        return entry.value;
      }
    } else if (this.entries.size >= this.limit) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    const value = parse(text);
    this.entries.set(key, { text, value });
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
