// HTTP Digest authentication (RFC 7616, with RFC 2617's MD5 and qop=auth as FRITZ!OS uses them).
// Pure: parses a challenge and computes Authorization headers; the HTTP client does the I/O.
import { createHash, randomBytes } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | null;
  readonly algorithm: DigestAlgorithm;
  /** Whether the server offered qop=auth (otherwise the RFC 2069 form is used). */
  readonly qopAuth: boolean;
  /** The server says the nonce expired but the credentials were right. */
  readonly stale: boolean;
}

/** Reads the Digest challenge out of one or more WWW-Authenticate header values; null if none. */
export function parseDigestChallenge(header: string | readonly string[] | undefined): DigestChallenge | null {
  const values = header === undefined ? [] : typeof header === 'string' ? [header] : header;
  for (const value of values) {
    const start = value.search(/\bDigest\s+/i);
    if (start < 0) continue;
    const params = parseAuthParams(value.slice(start).replace(/^Digest\s+/i, ''));
    const realm = params.get('realm');
    const nonce = params.get('nonce');
    if (realm === undefined || nonce === undefined) continue;
    const algorithm = normaliseAlgorithm(params.get('algorithm'));
    if (!algorithm) continue;
    const qop = (params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase());
    return {
      realm,
      nonce,
      opaque: params.get('opaque') ?? null,
      algorithm,
      qopAuth: qop.includes('auth'),
      stale: (params.get('stale') ?? '').toLowerCase() === 'true',
    };
  }
  return null;
}

function normaliseAlgorithm(value: string | undefined): DigestAlgorithm | null {
  switch ((value ?? 'MD5').toUpperCase()) {
    case 'MD5':
      return 'MD5';
    case 'MD5-SESS':
      return 'MD5-sess';
    case 'SHA-256':
      return 'SHA-256';
    case 'SHA-256-SESS':
      return 'SHA-256-sess';
    default:
      return null;
  }
}

/** `a="x", b=y, c="q\"uoted"` → map; stops at the next scheme (a comma then `Word ` without `=`). */
function parseAuthParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    const key = match[1]!.toLowerCase();
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    if (!params.has(key)) params.set(key, value);
    if (re.lastIndex >= text.length) break;
  }
  return params;
}

/**
 * One authenticated conversation: reuses the server's nonce with a growing nonce count, so a
 * poll costs one request instead of a 401 round trip each time.
 */
export class DigestSession {
  private nonceCount = 0;
  /** HA1 and each HA2 stay the same for the session's nonce; worked out once (the line poll asks 8 times a second). */
  private ha1: string | null = null;
  private readonly ha2 = new Map<string, { readonly ha2: string; readonly uri: string }>();
  private prefix: string | undefined;
  private cnonceField: string | undefined;
  private opaqueField: string | undefined;

  constructor(
    readonly challenge: DigestChallenge,
    private readonly username: string,
    private readonly password: string,
    /** The client nonce; random unless a test fixes it. */
    private readonly cnonce: string = randomBytes(8).toString('hex'),
  ) {}

  authorization(method: string, uri: string): string {
    const c = this.challenge;
    const hash = c.algorithm.startsWith('SHA-256') ? sha256 : md5;
    const nc = (++this.nonceCount).toString(16).padStart(8, '0');
    let ha1 = this.ha1;
    if (ha1 === null) {
      ha1 = hash(`${this.username}:${c.realm}:${this.password}`);
      if (c.algorithm.endsWith('-sess')) ha1 = hash(`${ha1}:${c.nonce}:${this.cnonce}`);
      this.ha1 = ha1;
    }
    const a2 = `${method}:${uri}`;
    let perUri = this.ha2.get(a2);
    if (perUri === undefined) {
      perUri = { ha2: hash(a2), uri: quote(uri) };
      if (this.ha2.size < 64) this.ha2.set(a2, perUri);
    }
    const ha2 = perUri.ha2;
    const response = c.qopAuth ? hash(`${ha1}:${c.nonce}:${nc}:${this.cnonce}:auth:${ha2}`) : hash(`${ha1}:${c.nonce}:${ha2}`);
    this.prefix ??= `Digest username=${quote(this.username)}, realm=${quote(c.realm)}, nonce=${quote(c.nonce)}`;
    this.cnonceField ??= quote(this.cnonce);
    this.opaqueField ??= c.opaque !== null ? `, opaque=${quote(c.opaque)}` : '';
    const qop = c.qopAuth ? `, qop=auth, nc=${nc}, cnonce=${this.cnonceField}` : '';
    return `${this.prefix}, uri=${perUri.uri}, algorithm=${c.algorithm}, response="${response}"${qop}${this.opaqueField}`;
  }
}

const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
