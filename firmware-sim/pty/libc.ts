// The few libc calls a pseudo-terminal needs, through the koffi FFI (prebuilt binaries ship with
// the npm package, so `npm ci` is all a fresh machine needs: no compiler, no python, no socat).
import { constants } from 'node:fs';
import koffi from 'koffi';
import { SimulatorError } from '../errors.js';

export interface Libc {
  posixOpenpt(flags: number): number;
  grantpt(fd: number): number;
  unlockpt(fd: number): number;
  /** The slave's path (/dev/pts/N) of a master fd. */
  ptsname(fd: number): string;
  /** Puts a terminal in raw mode (cfmakeraw + tcsetattr TCSANOW): no echo, no line editing,
   *  no CR/NL translation, 8 bits. */
  makeRaw(fd: number): void;
  /** Bytes waiting in a terminal's input queue (ioctl FIONREAD). */
  inputQueued(fd: number): number;
  errno(): number;
}

// ioctl request numbers differ per platform.
const FIONREAD = process.platform === 'darwin' ? 0x4004667f : 0x541b;

// Big enough for struct termios on every libc (60 bytes on glibc x86_64, 72 on macOS); the
// buffer is only handed back and forth, never read by us, so its layout does not matter.
const TERMIOS_BYTES = 256;
const TCSANOW = 0;

let cached: Libc | undefined;

/** Loads libc once. Throws SimulatorError UNSUPPORTED_PLATFORM off Linux/macOS. */
export function libc(): Libc {
  if (cached) return cached;
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new SimulatorError('UNSUPPORTED_PLATFORM', `pseudo-terminals need Linux or macOS, not ${process.platform}`);
  }
  // dlopen(NULL): the symbols node itself links against, so glibc and musl both work.
  const lib = koffi.load(null);
  const posixOpenpt = lib.func('int posix_openpt(int flags)');
  const grantpt = lib.func('int grantpt(int fd)');
  const unlockpt = lib.func('int unlockpt(int fd)');
  const ptsnameR = lib.func('int ptsname_r(int fd, _Out_ uint8_t *buf, size_t len)');
  const tcgetattr = lib.func('int tcgetattr(int fd, _Out_ uint8_t *termios)');
  const tcsetattr = lib.func('int tcsetattr(int fd, int action, uint8_t *termios)');
  const cfmakeraw = lib.func('void cfmakeraw(_Inout_ uint8_t *termios)');
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
  const errno = (): number => koffi.errno();
  cached = {
    posixOpenpt: (flags) => posixOpenpt(flags) as number,
    grantpt: (fd) => grantpt(fd) as number,
    unlockpt: (fd) => unlockpt(fd) as number,
    ptsname(fd) {
      const buf = Buffer.alloc(128);
      const rc = ptsnameR(fd, buf, buf.length) as number;
      if (rc !== 0) throw new SimulatorError('PTY_FAILED', `ptsname_r failed (errno ${rc})`);
      return buf.toString('utf8', 0, buf.indexOf(0));
    },
    makeRaw(fd) {
      const termios = Buffer.alloc(TERMIOS_BYTES);
      if ((tcgetattr(fd, termios) as number) !== 0) throw new SimulatorError('PTY_FAILED', `tcgetattr failed (errno ${errno()})`);
      cfmakeraw(termios);
      if ((tcsetattr(fd, TCSANOW, termios) as number) !== 0) throw new SimulatorError('PTY_FAILED', `tcsetattr failed (errno ${errno()})`);
    },
    inputQueued(fd) {
      const out = Buffer.alloc(4);
      return (ioctl(fd, FIONREAD, 'void *', out) as number) === 0 ? out.readInt32LE(0) : 0;
    },
    errno,
  };
  return cached;
}

export const O_RDWR = constants.O_RDWR;
export const O_NOCTTY = constants.O_NOCTTY;
