// serialport's Unix binding, with one change: a read that returns 0 bytes ends the port.
//
// Why: when a tty hangs up (a USB stick unplugged, or the master of a pty closed) the kernel
// answers every read with 0 bytes (end of file). @serialport/bindings-cpp 13 retries such a
// read at once, forever (a busy loop through the thread pool), and the port never reports
// the disconnect; it only shows at the next write, and only as EIO. The port is opened with
// VMIN=1 (the binding's default), so a 0-byte read can only mean a hang-up.
//
// Everything else is the detected binding's. Where it does not expose the Unix descriptor and
// poller (Windows), its own read is used unchanged.
import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';

const readAsync = promisify(fsRead);

/** The parts of serialport's binding interface (@serialport/bindings-interface) used here. */
interface PortBinding {
  readonly openOptions: unknown;
  readonly isOpen: boolean;
  close(): Promise<void>;
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
  write(buffer: Buffer): Promise<void>;
  update(options: unknown): Promise<void>;
  set(options: unknown): Promise<void>;
  get(): Promise<unknown>;
  getBaudRate(): Promise<{ baudRate: number }>;
  flush(): Promise<void>;
  drain(): Promise<void>;
}

interface Binding {
  list(): Promise<unknown[]>;
  open(options: unknown): Promise<PortBinding>;
}

/** The Unix binding's descriptor and poller (public fields of bindings-cpp's LinuxPortBinding). */
interface UnixInternals {
  readonly fd: number | null;
  readonly poller: { once(event: 'readable', callback: (error: Error | null) => void): unknown };
}

function hasUnixInternals(port: PortBinding): port is PortBinding & UnixInternals {
  const candidate = port as Partial<UnixInternals>;
  return typeof candidate.fd === 'number' && typeof candidate.poller?.once === 'function';
}

const canceled = (): Error => Object.assign(new Error('Port is not open'), { canceled: true });

class HangupAwarePort implements PortBinding {
  constructor(private readonly inner: PortBinding & UnixInternals) {}

  get openOptions(): unknown {
    return this.inner.openOptions;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    for (;;) {
      const fd = this.inner.fd;
      if (!this.inner.isOpen || fd === null) throw canceled();
      try {
        const { bytesRead } = await readAsync(fd, buffer, offset, length, null);
        if (bytesRead === 0) throw Object.assign(new Error('the device hung up (end of file)'), { disconnect: true });
        return { buffer, bytesRead };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw error;
        if (!this.inner.isOpen) throw canceled();
        await new Promise<void>((resolve, reject) => {
          this.inner.poller.once('readable', (pollError) => (pollError ? reject(pollError) : resolve()));
        });
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
  write(buffer: Buffer): Promise<void> {
    return this.inner.write(buffer);
  }
  update(options: unknown): Promise<void> {
    return this.inner.update(options);
  }
  set(options: unknown): Promise<void> {
    return this.inner.set(options);
  }
  get(): Promise<unknown> {
    return this.inner.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
}

const detected = SerialPort.binding as unknown as Binding;

/** The binding to pass to serialport (as `binding`). */
export const hangupAwareBinding: Binding = {
  list: () => detected.list(),
  async open(options) {
    const port = await detected.open(options);
    return hasUnixInternals(port) ? new HangupAwarePort(port) : port;
  },
};
