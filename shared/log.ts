// Logging for both programs: pino, JSON lines, one child logger per component. Secrets are
// redacted by key wherever they sit in a logged object, so a careless `log.info({ config })`
// does not leak a PIN or a token.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line. */
export const REDACTED_KEYS = [
  'password',
  'secret',
  'token',
  'pin',
  'puk',
  'authorization',
  'cookie',
  'mqttPassword',
  'deviceSecret',
  'routerPassword',
  'simPin',
] as const;

const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface LoggerSettings {
  /** The program: `agent`, `server`, `sim`. */
  readonly name: string;
  readonly level?: LoggerOptions['level'];
  /** Defaults to stdout; tests pass a stream to read what was logged. */
  readonly destination?: DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? process.env['SP_LOG_LEVEL'] ?? 'info',
    redact: { paths: [...redactPaths, 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A URL fit for a log line: no password and no query (credentials travel there: mqtt://user:secret@host). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.search = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

/** A logger that drops everything, for pure-core tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
