// A small AT terminal for the simulator's tests: opens the stick's device path with serialport
// exactly as the agent does, keeps everything it reads, and sends a command line and waits for
// its final result. Waits are on conditions with generous deadlines, never fixed sleeps.
import { SerialPort } from 'serialport';

const FINAL = /\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*|NO CARRIER|CONNECT[^\r\n]*|COMMAND NOT SUPPORT|BUSY|NO ANSWER|NO DIALTONE)\r\n/;
const DEADLINE_MS = 15_000;

export interface AtReply {
  /** Everything read from the moment the command was written until the final result. */
  readonly raw: string;
  /** The non-empty lines of `raw`. */
  readonly lines: readonly string[];
  /** The final result line. */
  readonly final: string;
}

export class AtPort {
  /** Everything read so far (latin1). */
  received = '';
  closed = false;
  closeError: (Error & { disconnected?: boolean }) | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      this.wake();
    });
    port.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
      this.closed = true;
      this.closeError = error ?? null;
      this.wake();
    });
    port.on('error', () => this.wake());
  }

  static async open(path: string): Promise<AtPort> {
    const port = new SerialPort({ path, baudRate: 57600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    return new AtPort(port);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `condition` holds (checked on every read), rejects after the deadline. */
  async until(condition: () => boolean, what: string, deadlineMs = DEADLINE_MS): Promise<void> {
    const start = Date.now();
    while (!condition()) {
      if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}; received so far: ${JSON.stringify(this.received.slice(-400))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200); // re-check the deadline even when nothing arrives
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Text received since offset `from`. */
  since(from: number): string {
    return this.received.slice(from);
  }

  /** Waits until the text after `from` matches. */
  async expect(pattern: RegExp, from = 0, deadlineMs = DEADLINE_MS): Promise<string> {
    await this.until(() => pattern.test(this.since(from)), String(pattern), deadlineMs);
    return this.since(from);
  }

  write(text: string): void {
    this.port.write(Buffer.from(text, 'latin1'));
  }

  /** Sends `line` + CR and waits for its final result. */
  async command(line: string, deadlineMs = DEADLINE_MS): Promise<AtReply> {
    const from = this.received.length;
    this.write(`${line}\r`);
    await this.until(() => FINAL.test(this.since(from)), `final result of ${line}`, deadlineMs);
    const text = this.since(from);
    const m = FINAL.exec(text)!;
    const raw = text.slice(0, m.index + m[0].length);
    return { raw, lines: raw.split(/\r\n|\r/).filter((l) => l !== ''), final: m[1]! };
  }

  /** Sends and returns the information lines (without echo or final result). */
  async info(line: string): Promise<string[]> {
    const reply = await this.command(line);
    return reply.lines.filter((l) => l !== line && l !== reply.final);
  }

  /**
   * Waits until the port notices the hang-up of an unplugged stick. serialport 13 on Linux may
   * not notice by itself: a hung-up tty reads 0 bytes and bindings-cpp re-reads in a loop
   * (serialport/bindings-cpp#162, node-serialport#2043) until a write fails; so write, as an
   * agent's next command would.
   */
  async awaitHangup(): Promise<void> {
    // Keep writing: a write that lands before the stick is gone (it first waits for us to read
    // its OK) succeeds and proves nothing.
    const poke = setInterval(() => {
      if (!this.closed && this.port.isOpen) this.port.write('AT\r', () => this.wake());
    }, 250);
    try {
      if (!this.closed && this.port.isOpen) this.port.write('AT\r', () => this.wake());
      await this.until(() => this.closed, 'the port to see the hang-up');
    } finally {
      clearInterval(poke);
    }
  }

  async close(): Promise<void> {
    if (this.closed || !this.port.isOpen) return;
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}
