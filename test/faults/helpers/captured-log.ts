// A real pino logger (shared/log.ts, with its redaction) whose JSON lines the test can read, to
// assert that a fault is logged clearly: at which level, by which component, saying what.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../shared/log.js';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly component?: string;
  readonly [key: string]: unknown;
}

export interface CapturedLog {
  readonly log: Logger;
  readonly lines: LogLine[];
  /** Lines at warn (40) or above. */
  problems(): LogLine[];
  find(predicate: (line: LogLine) => boolean): LogLine | undefined;
}

export function capturedLog(name = 'agent', level = 'info'): CapturedLog {
  const lines: LogLine[] = [];
  let partial = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as LogLine);
      if (process.env['SP_TEST_AGENT_LOG']) process.stderr.write(chunk);
      done();
    },
  });
  const log = createLogger({ name, level, destination });
  return {
    log,
    lines,
    problems: () => lines.filter((line) => line.level >= 40),
    find: (predicate) => lines.find(predicate),
  };
}
