// HTTP Digest authentication, server side (RFC 7616 with MD5 and qop=auth, RFC 2617 without
// qop), as the FRITZ!Box asks for it on TR-064 control URLs: realm "F!Box SOAP-Auth".
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const REALM = 'F!Box SOAP-Auth';
/** A nonce is good for this long; after it the client is told `stale=true` and retries. */
const NONCE_LIFETIME_MS = 5 * 60 * 1000;

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** Parses `Digest k=v, k="v", …` into lower-case keys. */
export function parseDigestHeader(header: string | undefined): Record<string, string> | null {
  if (!header) return null;
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return null;
  const fields: Record<string, string> = {};
  const re = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/g;
  for (const part of m[1]!.matchAll(re)) fields[part[1]!.toLowerCase()] = part[2] !== undefined ? part[2].replace(/\\(.)/g, '$1') : (part[3] ?? '');
  return fields;
}

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
  /** Accept an empty user name with the password (FRITZ!OS before 7.24). */
  readonly allowEmptyUser: boolean;
}

export type DigestVerdict = { readonly ok: true; readonly username: string } | { readonly ok: false; readonly stale: boolean };

export class DigestAuth {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly credentials: DigestCredentials,
    private readonly now: () => number,
  ) {}

  /** A nonce that carries its issue time and a MAC, so no state is kept per client. */
  private nonce(): string {
    const time = this.now().toString(16);
    const mac = createHmac('sha256', this.secret).update(time).digest('hex').slice(0, 32);
    return `${time}${mac}`;
  }

  private nonceFresh(nonce: string): boolean | null {
    const time = nonce.slice(0, -32);
    const mac = nonce.slice(-32);
    const expected = createHmac('sha256', this.secret).update(time).digest('hex').slice(0, 32);
    if (time === '' || mac.length !== 32 || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return null;
    return this.now() - parseInt(time, 16) <= NONCE_LIFETIME_MS;
  }

  challenge(stale = false): string {
    return `Digest realm="${REALM}", nonce="${this.nonce()}", algorithm=MD5, qop="auth"${stale ? ', stale=TRUE' : ''}`;
  }

  verify(method: string, uri: string, header: string | undefined): DigestVerdict {
    const f = parseDigestHeader(header);
    if (!f || f['realm'] !== REALM || !f['nonce'] || !f['response'] || f['uri'] === undefined) return { ok: false, stale: false };
    if ((f['algorithm'] ?? 'MD5').toUpperCase() !== 'MD5') return { ok: false, stale: false };
    // The digest covers the request-URI; it must be the one requested.
    if (f['uri'] !== uri) return { ok: false, stale: false };
    const username = f['username'] ?? '';
    const c = this.credentials;
    const userOk = username === c.username || (username === '' && c.allowEmptyUser);
    if (!userOk) return { ok: false, stale: false };
    const ha1 = md5(`${username}:${REALM}:${c.password}`);
    const ha2 = md5(`${method}:${f['uri']}`);
    const qop = f['qop'];
    let expected: string;
    if (qop === undefined) expected = md5(`${ha1}:${f['nonce']}:${ha2}`);
    else if (qop === 'auth' && f['nc'] && f['cnonce'] !== undefined) expected = md5(`${ha1}:${f['nonce']}:${f['nc']}:${f['cnonce']}:auth:${ha2}`);
    else return { ok: false, stale: false };
    const given = f['response'].toLowerCase();
    if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return { ok: false, stale: false };
    const fresh = this.nonceFresh(f['nonce']);
    if (fresh !== true) return { ok: false, stale: fresh === false };
    return { ok: true, username };
  }
}
