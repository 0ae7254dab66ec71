// Tells a store that is out of reach (PostgreSQL down or unreachable, a SQLite file locked by
// another process or failing on disk) from a bug. The API answers the first with 503 and a
// Retry-After (issue 11: "database unavailable: 503 with a retry hint, recovers by itself"):
// the next request uses a fresh connection, so nothing needs a restart.

/** Node socket errors on the way to PostgreSQL. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** PostgreSQL SQLSTATEs of a server that is going away or not taking connections. */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);

/** better-sqlite3's codes for a file that is busy, locked or failing (SQLITE_IOERR_* included). */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|PROTOCOL)/;

/** pg's own messages for a connection that went away or never came. */
const PG_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

export function isStoreUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || PG_UNAVAILABLE.has(code) || code.startsWith('08') || SQLITE_UNAVAILABLE.test(code)) return true;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
  }
  return false;
}
