// The stick's USB presence: a stable device path (a symlink `<dir>/ttyUSB0 -> /dev/pts/N`) that
// exists while the stick is plugged in. Unplugging closes the pty, so a port the agent holds
// sees the terminal hang up, and removes the path; replugging makes a new pty and the path again.
import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatorError } from '../errors.js';
import { openPty, type Pty } from './pty.js';

export interface UsbDevice {
  readonly devicePath: string;
  readonly plugged: boolean;
  /** /dev/pts/N while plugged, else null. */
  readonly ttyPath: string | null;
  plug(): void;
  unplug(): void;
  write(data: Uint8Array | string): boolean;
  /** Bytes written to the agent and not read yet (0 when unplugged). */
  unread(): number;
  /** Bytes from the agent; called with the pty they came from (a late chunk of a closed pty is ignored). */
  onData(listener: (chunk: Buffer) => void): void;
  /** Unplugs and removes the folder if this device created it. */
  dispose(): void;
}

export function createUsbDevice(options: { dir?: string; name: string }): UsbDevice {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sp-stick-'));
  const devicePath = join(dir, options.name);
  const listeners: Array<(chunk: Buffer) => void> = [];
  let pty: Pty | null = null;

  const removeLink = (): void => {
    try {
      unlinkSync(devicePath);
    } catch {
      // not there
    }
  };

  return {
    devicePath,
    get plugged() {
      return pty !== null;
    },
    get ttyPath() {
      return pty?.slavePath ?? null;
    },
    plug() {
      if (pty) throw new SimulatorError('ALREADY_PLUGGED', 'the stick is already plugged in');
      const fresh = openPty();
      fresh.onData((chunk) => {
        if (pty !== fresh) return;
        for (const listener of listeners) listener(chunk);
      });
      removeLink(); // a stale link from a previous run
      symlinkSync(fresh.slavePath, devicePath);
      pty = fresh;
    },
    unplug() {
      if (!pty) return;
      removeLink();
      pty.close();
      pty = null;
    },
    write(data) {
      return pty ? pty.write(data) : false;
    },
    unread() {
      return pty ? pty.unread() : 0;
    },
    onData(listener) {
      listeners.push(listener);
    },
    dispose() {
      this.unplug();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
