// Log lines captured in memory: a real pino logger (shared/log.ts, with its redaction) at trace
// level whose JSON lines land in an array the test reads.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../shared/log.js';

export function capturedLogger(name: string, lines: string[]): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return createLogger({ name, level: 'trace', destination });
}
