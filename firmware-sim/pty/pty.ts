// One pseudo-terminal: the master side is ours (the stick's end of the cable), the slave
// /dev/pts/N is what the agent opens. We also hold the slave open ourselves and never read it,
// so the master sees no EIO/hang-up while no agent has the port open.
import { closeSync, openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { SimulatorError } from '../errors.js';
import { libc, O_NOCTTY, O_RDWR } from './libc.js';

/** Output beyond this many queued bytes is dropped, as a real stick's buffer overflows when
 *  nobody reads the port (keeps memory bounded while no agent is attached). */
const MAX_QUEUED_BYTES = 64 * 1024;

export interface Pty {
  /** /dev/pts/N */
  readonly slavePath: string;
  /** Writes to the agent; returns false if dropped (closed, or the agent is not reading). */
  write(data: Uint8Array | string): boolean;
  /** Bytes the agent wrote. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Bytes written to the agent that it has not read yet (they die with a hang-up). */
  unread(): number;
  /** Closes master and our slave fd: the agent's port sees the terminal hang up. */
  close(): void;
  readonly closed: boolean;
}

export function openPty(): Pty {
  const c = libc();
  const master = c.posixOpenpt(O_RDWR | O_NOCTTY);
  if (master < 0) throw new SimulatorError('PTY_FAILED', `posix_openpt failed (errno ${c.errno()})`);
  let slave = -1;
  try {
    if (c.grantpt(master) !== 0) throw new SimulatorError('PTY_FAILED', `grantpt failed (errno ${c.errno()})`);
    if (c.unlockpt(master) !== 0) throw new SimulatorError('PTY_FAILED', `unlockpt failed (errno ${c.errno()})`);
    const slavePath = c.ptsname(master);
    slave = openSync(slavePath, O_RDWR | O_NOCTTY);
    // Raw mode before the agent opens it: the line discipline must never echo our own output
    // back to us or turn \n into \r\n.
    c.makeRaw(slave);
    c.makeRaw(master);
    return wrap(master, slave, slavePath);
  } catch (error) {
    if (slave >= 0) closeSync(slave);
    closeSync(master);
    throw error;
  }
}

function wrap(master: number, slave: number, slavePath: string): Pty {
  const c = libc();
  // A libuv tty handle reads without blocking the threadpool and handles EAGAIN on writes
  // (node-pty reads its master the same way).
  const stream = new ReadStream(master);
  const listeners: Array<(chunk: Buffer) => void> = [];
  let closed = false;
  stream.on('data', (chunk: Buffer) => {
    for (const listener of listeners) listener(chunk);
  });
  // EIO can only come after close(); nothing to report to anyone.
  stream.on('error', () => {});

  return {
    slavePath,
    get closed() {
      return closed;
    },
    write(data) {
      if (closed || stream.writableLength > MAX_QUEUED_BYTES) return false;
      stream.write(data);
      return true;
    },
    onData(listener) {
      listeners.push(listener);
    },
    unread() {
      return closed ? 0 : stream.writableLength + c.inputQueued(slave);
    },
    close() {
      if (closed) return;
      closed = true;
      stream.destroy(); // closes the master fd
      try {
        closeSync(slave);
      } catch {
        // already closed
      }
    },
  };
}
