// Messages for the server (events, usage, acks) wait here, on disk, until the broker has them.
// An append-only log of JSON lines: a message is on disk (fdatasync) before `append` resolves,
// so it survives kill -9 and a power cut; delivery markers are cheap appends (losing one only
// means a harmless resend). A torn last line is skipped on load. When everything is delivered
// the log is compacted with an atomic rewrite.
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import type { Logger } from '../../shared/log.js';
import { writeFileAtomic } from '../store/atomic-file.js';

export const OUTBOX_KINDS = ['events', 'usage', 'acks'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

export interface OutboxEntry {
  /** Position in the log: strictly increasing, the order messages go out in. */
  readonly n: number;
  readonly kind: OutboxKind;
  /** The encoded message, exactly as it will be published. */
  readonly payload: string;
}

const RecordSchema = z.union([
  z.object({ n: z.number().int().positive(), k: z.enum(OUTBOX_KINDS), p: z.string() }),
  z.object({ d: z.number().int().positive() }),
  z.object({ base: z.number().int().nonnegative() }),
]);

export interface OutboxOptions {
  readonly log: Logger;
  /** The most messages kept; beyond it the oldest are dropped, with a warning (default 10 000). */
  readonly maxEntries?: number;
  /** Compact once the log holds this many bytes and nothing is pending (default 64 KiB). */
  readonly compactBytes?: number;
}

export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  private lastN: number;
  private handle: FileHandle;
  private bytes: number;
  private chain: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private readonly maxEntries: number;
  private readonly compactBytes: number;
  /** The disk refused the last write (issue 11: disk full). */
  private writeFailing = false;
  /** The last write left part of a line. */
  private torn = false;

  private constructor(
    private readonly path: string,
    private readonly options: OutboxOptions,
    handle: FileHandle,
    bytes: number,
    entries: OutboxEntry[],
    lastN: number,
  ) {
    this.handle = handle;
    this.bytes = bytes;
    this.entries = entries;
    this.lastN = lastN;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.compactBytes = options.compactBytes ?? 64 * 1024;
  }

  static async open(path: string, options: OutboxOptions): Promise<Outbox> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const pending = new Map<number, OutboxEntry>();
    let lastN = 0;
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let record: z.infer<typeof RecordSchema>;
      try {
        record = RecordSchema.parse(JSON.parse(line));
      } catch {
        skipped++;
        continue;
      }
      if ('base' in record) lastN = Math.max(lastN, record.base);
      else if ('d' in record) pending.delete(record.d);
      else {
        pending.set(record.n, { n: record.n, kind: record.k, payload: record.p });
        lastN = Math.max(lastN, record.n);
      }
    }
    if (skipped > 0) options.log.warn({ path, skipped }, 'outbox: skipped unreadable lines (a torn write)');
    const handle = await open(path, 'a', 0o600);
    let bytes = Buffer.byteLength(text);
    // A torn last line must not swallow the next record.
    if (text.length > 0 && !text.endsWith('\n')) {
      await handle.write('\n');
      bytes++;
    }
    const entries = [...pending.values()].sort((a, b) => a.n - b.n);
    if (entries.length > 0) options.log.info({ pending: entries.length }, 'outbox: messages waiting from before');
    return new Outbox(path, options, handle, bytes, entries, lastN);
  }

  /**
   * Adds a message; resolves once it is on disk or, while the disk refuses writes (full, failing),
   * once it is kept in memory: it still goes out, and is written when the disk takes writes again.
   */
  append(kind: OutboxKind, payload: string): Promise<OutboxEntry> {
    const entry: OutboxEntry = { n: ++this.lastN, kind, payload };
    const line = `${JSON.stringify({ n: entry.n, k: kind, p: payload })}\n`;
    const done = this.enqueue(async () => {
      try {
        await this.writeLine(line);
        await this.handle.datasync();
      } catch (error) {
        this.cannotWrite(error);
        return;
      }
      await this.canWriteAgain(entry);
    }).then(() => {
      this.entries.push(entry);
      this.trim();
      for (const listener of this.listeners) listener();
      return entry;
    });
    return done;
  }

  /** Messages not yet delivered, oldest first. */
  pending(): readonly OutboxEntry[] {
    return this.entries;
  }

  /** The broker acknowledged `n`. */
  delivered(n: number): Promise<void> {
    const index = this.entries.findIndex((e) => e.n === n);
    if (index < 0) return this.chain;
    this.entries.splice(index, 1);
    const line = `${JSON.stringify({ d: n })}\n`;
    return this.enqueue(async () => {
      try {
        await this.writeLine(line);
      } catch (error) {
        this.cannotWrite(error); // a lost marker only means a harmless resend after a restart
        return;
      }
      if (this.entries.length === 0 && this.bytes >= this.compactBytes) await this.compact();
    });
  }

  /**
   * One whole line, or an error. A full disk can take part of a line (a short write): the next
   * line then starts on a fresh one, so the torn part is skipped on load, not glued to it.
   */
  private async writeLine(line: string): Promise<void> {
    const data = Buffer.from(this.torn ? `\n${line}` : line);
    const { bytesWritten } = await this.handle.write(data);
    this.bytes += bytesWritten;
    if (bytesWritten < data.length) {
      this.torn ||= bytesWritten > 0;
      throw new Error(`short write (${bytesWritten} of ${data.length} bytes): is the disk full?`);
    }
    this.torn = false;
  }

  /** Issue 11, disk full: said once, then the messages wait in memory (lost only with the process). */
  private cannotWrite(error: unknown): void {
    if (this.writeFailing) return;
    this.writeFailing = true;
    this.options.log.error(
      { path: this.path, err: String(error), pending: this.entries.length },
      'outbox: cannot write to disk; messages are kept in memory and still sent (lost if the agent restarts before they are)',
    );
  }

  /** After a failure, the first good write (of `current`): what waited in memory goes to disk too. */
  private async canWriteAgain(current: OutboxEntry): Promise<void> {
    if (!this.writeFailing) return;
    this.writeFailing = false;
    this.options.log.info({ path: this.path, pending: this.entries.length }, 'outbox: writing to disk again');
    await this.compact([current]).catch((error: unknown) => this.cannotWrite(error));
  }

  /** Called after each append, once the message is on disk. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits for pending writes (delivery markers included). */
  async flush(): Promise<void> {
    await this.chain;
    await this.handle.sync();
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    await this.handle.close();
  }

  private trim(): void {
    const excess = this.entries.length - this.maxEntries;
    if (excess <= 0) return;
    const dropped = this.entries.slice(0, excess);
    this.options.log.warn({ dropped: dropped.length, kinds: dropped.map((d) => d.kind) }, 'outbox full: dropping the oldest messages');
    for (const entry of dropped) void this.delivered(entry.n);
  }

  private async compact(extra: readonly OutboxEntry[] = []): Promise<void> {
    const kept = [...this.entries, ...extra];
    const text = [JSON.stringify({ base: this.lastN }), ...kept.map((e) => JSON.stringify({ n: e.n, k: e.kind, p: e.payload }))].join('\n') + '\n';
    await this.handle.close();
    await writeFileAtomic(this.path, text);
    this.handle = await open(this.path, 'a', 0o600);
    this.bytes = (await stat(this.path)).size;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      (error: unknown) => {
        this.options.log.error({ err: String(error) }, 'outbox write failed');
      },
    );
    return run;
  }
}
