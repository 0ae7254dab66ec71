// The narrow port under the AT channel (the shape node-serialport's bindings use): open by
// path, write bytes, hear bytes and the close. The channel's unit tests put a scripted fake
// here; the agent and the hardware-in-the-loop tests use `openSerialPort` on a real tty.
import { SerialPort, type SerialPortOpenOptions } from 'serialport';
import { ModemError } from '../errors.js';
import { hangupAwareBinding } from './hangup-aware-binding.js';

export interface PortClosed {
  /** true when the device went away (unplugged, a hang-up), false when we closed it. */
  readonly disconnected: boolean;
  readonly reason: string;
}

export interface AtPort {
  readonly path: string;
  /** Hands bytes to the OS; rejects with ModemError `closed` when the port is gone. */
  write(data: string): Promise<void>;
  /** Bytes from the stick, in arrival order. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once, when the port closes for whatever reason. */
  onClose(listener: (closed: PortClosed) => void): void;
  /** Closes the port; safe to call twice. */
  close(): Promise<void>;
}

export type OpenPort = (path: string) => Promise<AtPort>;

/** Opens a serial device (raw 8N1; the baud rate is meaningless on USB ACM and on a pty). */
export const openSerialPort: OpenPort = (path) =>
  new Promise((resolve, reject) => {
    // `binding` is not in SerialPort's option type, but its constructor takes it (see
    // hangup-aware-binding.ts for why the detected binding is wrapped).
    const options = { path, baudRate: 57600, autoOpen: false, hupcl: false, binding: hangupAwareBinding };
    const port = new SerialPort(options as SerialPortOpenOptions<typeof SerialPort.binding>);
    port.open((error) => {
      if (error) {
        reject(new ModemError('open-failed', `cannot open ${path}: ${error.message}`, { cause: error }));
        return;
      }
      resolve(wrapSerialPort(path, port));
    });
  });

function wrapSerialPort(path: string, port: SerialPort): AtPort {
  const closeListeners: Array<(closed: PortClosed) => void> = [];
  let closedInfo: PortClosed | null = null;
  let closingByUs = false;

  const finish = (closed: PortClosed): void => {
    if (closedInfo) return;
    closedInfo = closed;
    for (const listener of closeListeners) listener(closed);
  };
  // The OS says "bad file descriptor" or "input/output error" when the stick is pulled out; the
  // log and the modem-lost event say what that means (issue 11: a clear log).
  const gone = (error: Error) => `${path} went away (unplugged or reset): ${error.message}`;
  port.on('close', (error: (Error & { disconnected?: boolean }) | null) => {
    finish({ disconnected: !closingByUs, reason: error ? gone(error) : closingByUs ? 'closed' : 'device closed' });
  });
  // Read errors (EIO when the terminal hangs up) make serialport close the port with a
  // disconnect error; other errors on an open port are treated the same way.
  port.on('error', (error: Error) => {
    if (port.isOpen) port.close(() => finish({ disconnected: true, reason: gone(error) }));
    else finish({ disconnected: true, reason: gone(error) });
  });

  return {
    path,
    write(data) {
      return new Promise((resolve, reject) => {
        if (closedInfo || !port.isOpen) {
          reject(new ModemError('closed', `${path} is closed`));
          return;
        }
        port.write(data, 'latin1', (error) => {
          if (error) reject(new ModemError('closed', `write to ${path} failed: ${error.message}`, { cause: error }));
          else resolve();
        });
      });
    },
    onData(listener) {
      port.on('data', listener);
    },
    onClose(listener) {
      if (closedInfo) listener(closedInfo);
      else closeListeners.push(listener);
    },
    close() {
      return new Promise((resolve) => {
        if (closedInfo || !port.isOpen) {
          resolve();
          return;
        }
        closingByUs = true;
        port.close(() => {
          finish({ disconnected: false, reason: 'closed' });
          resolve();
        });
      });
    },
  };
}
