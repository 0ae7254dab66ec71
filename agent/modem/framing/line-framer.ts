// Layer 1 of the AT stack: turns the serial byte stream into text lines. Replies are framed
// `\r\n…\r\n` and a command echo ends with a bare `\r`, so any run of CR/LF ends a line and
// empty lines vanish. A read may hold half a line or several lines; that is the point of the
// buffer. Noise from a confused stick (bytes outside printable ASCII) makes its whole line go
// away rather than reach a parser, and a line that never ends is dropped at `maxLineLength`
// so garbage cannot grow memory.
import { Transform, type TransformCallback } from 'node:stream';

export type DiscardReason = 'non-printable' | 'overflow' | 'partial';

export interface LineFramerOptions {
  /** Longest line kept; longer runs without CR/LF are dropped. Default 2048. */
  readonly maxLineLength?: number;
  /** Told about every dropped piece (for debug logs); never about its content. */
  readonly onDiscard?: (reason: DiscardReason, bytes: number) => void;
}

const CR = 0x0d;
const LF = 0x0a;

/** Printable ASCII and tab: what AT replies are made of (V.250 uses IRA characters). */
function isPrintable(byte: number): boolean {
  return (byte >= 0x20 && byte <= 0x7e) || byte === 0x09;
}

/**
 * A Transform from bytes to lines (object mode on the readable side: one string per line).
 * `expectEcho(command)` makes the next line equal to the command vanish, as the stick repeats
 * what it was sent while echo is on (before `ATE0` takes effect, or after a stick restart).
 */
export class LineFramer extends Transform {
  private readonly maxLineLength: number;
  private readonly onDiscard: ((reason: DiscardReason, bytes: number) => void) | undefined;
  private partial: number[] = [];
  private tainted = false;
  private overflowing = false;
  private echo: string | null = null;

  constructor(options: LineFramerOptions = {}) {
    super({ readableObjectMode: true });
    this.maxLineLength = options.maxLineLength ?? 2048;
    this.onDiscard = options.onDiscard;
  }

  /** The next line equal to this command (case and surrounding blanks ignored) is an echo. */
  expectEcho(command: string | null): void {
    this.echo = command === null ? null : command.trim().toUpperCase();
  }

  /** Drops a half-received line (after a timeout: its end is not coming, and must not be
   *  glued onto the next reply). */
  discardPartial(): void {
    if (this.partial.length > 0) this.onDiscard?.('partial', this.partial.length);
    this.resetLine();
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    for (const byte of bytes) {
      if (byte === CR || byte === LF) {
        this.endLine();
        continue;
      }
      if (this.overflowing) continue;
      if (!isPrintable(byte)) this.tainted = true;
      this.partial.push(byte);
      if (this.partial.length > this.maxLineLength) {
        this.onDiscard?.('overflow', this.partial.length);
        this.partial = [];
        this.overflowing = true;
      }
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.discardPartial();
    callback();
  }

  private endLine(): void {
    const { partial, tainted, overflowing } = this;
    this.resetLine();
    if (overflowing || partial.length === 0) return;
    if (tainted) {
      this.onDiscard?.('non-printable', partial.length);
      return;
    }
    const line = Buffer.from(partial).toString('latin1').trim();
    if (line === '') return;
    if (this.echo !== null && line.toUpperCase() === this.echo) {
      this.echo = null;
      return;
    }
    this.push(line);
  }

  private resetLine(): void {
    this.partial = [];
    this.tainted = false;
    this.overflowing = false;
  }
}
