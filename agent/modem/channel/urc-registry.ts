// Unsolicited result codes go to handlers registered by their tag (`^RSSI`, `+CREG`, `NO
// CARRIER`): one map lookup per line, never an if-chain in the read loop.

export type UrcHandler = (line: string) => void;

/** `^RSSI: 17` → `^RSSI`; `+CGEV: NW DETACH` → `+CGEV`; `NO CARRIER` → `NO CARRIER`. Upper case. */
export function lineTag(line: string): string {
  const colon = line.indexOf(':');
  return (colon < 0 ? line : line.slice(0, colon)).trim().toUpperCase();
}

export class UrcRegistry {
  private readonly handlers = new Map<string, UrcHandler[]>();

  /** Handles lines whose tag is `tag` (case ignored); returns the function that removes it. */
  on(tag: string, handler: UrcHandler): () => void {
    const key = tag.trim().toUpperCase();
    const list = this.handlers.get(key) ?? [];
    list.push(handler);
    this.handlers.set(key, list);
    return () => {
      const current = this.handlers.get(key);
      if (!current) return;
      const rest = current.filter((h) => h !== handler);
      if (rest.length > 0) this.handlers.set(key, rest);
      else this.handlers.delete(key);
    };
  }

  /** Whether some handler takes lines with this line's tag. */
  handles(line: string): boolean {
    return this.handlers.has(lineTag(line));
  }

  /** Runs the handlers for this line; false when none is registered. A handler that throws
   *  is the caller's to report (see `onHandlerError`); the others still run. */
  dispatch(line: string, onHandlerError: (error: unknown, line: string) => void): boolean {
    const list = this.handlers.get(lineTag(line));
    if (!list) return false;
    for (const handler of [...list]) {
      try {
        handler(line);
      } catch (error) {
        onHandlerError(error, line);
      }
    }
    return true;
  }
}
