// A scripted stand-in for the serial port, for the channel's unit tests (the pure core's
// fake; the hardware-in-the-loop tests use a real pty). Each written command line gets the
// bytes the script returns for it, written back on the next turn of the event loop.
import type { AtPort, PortClosed } from '../../../../agent/modem/channel/port.js';
import { ModemError } from '../../../../agent/modem/errors.js';

export type Script = (command: string) => string | readonly string[] | null;

export class ScriptedPort implements AtPort {
  readonly path = '/dev/fake-stick';
  /** Command lines written, without the `\r`. */
  readonly written: string[] = [];
  private readonly dataListeners: Array<(chunk: Buffer) => void> = [];
  private readonly closeListeners: Array<(closed: PortClosed) => void> = [];
  private closed: PortClosed | null = null;

  constructor(public script: Script = () => null) {}

  write(data: string): Promise<void> {
    if (this.closed) return Promise.reject(new ModemError('closed', 'fake port closed'));
    for (const line of data.split('\r').filter((l) => l !== '')) {
      this.written.push(line);
      const reply = this.script(line);
      if (reply !== null) {
        const chunks = typeof reply === 'string' ? [reply] : reply;
        setImmediate(() => {
          for (const chunk of chunks) this.feed(chunk);
        });
      }
    }
    return Promise.resolve();
  }

  /** Bytes from the "stick", now, as one read. */
  feed(data: string | Buffer): void {
    if (this.closed) return;
    const chunk = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (const listener of this.dataListeners) listener(chunk);
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (closed: PortClosed) => void): void {
    if (this.closed) listener(this.closed);
    else this.closeListeners.push(listener);
  }

  /** The device goes away (an unplug). */
  hangUp(): void {
    this.finish({ disconnected: true, reason: 'device closed' });
  }

  close(): Promise<void> {
    this.finish({ disconnected: false, reason: 'closed' });
    return Promise.resolve();
  }

  private finish(closed: PortClosed): void {
    if (this.closed) return;
    this.closed = closed;
    for (const listener of this.closeListeners) listener(closed);
  }
}

/** Lets the fake's replies and the stream's events through. */
export async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A reply framed as the stick frames it: `\r\n<line>\r\n` per line. */
export function framed(...lines: string[]): string {
  return lines.map((line) => `\r\n${line}\r\n`).join('');
}
