// TLS files named in the settings (HTTPS and mqtts:// on the server, the broker's CA on the
// agent): read once at start, checked to be PEM, a missing or unreadable one stops start-up with a
// ConfigError naming the setting. And the client side of a TLS socket, the same for every client.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from './config.js';

const SOURCE = 'the settings';

/** A PEM file (certificate, chain or key); ConfigError naming `key` when it is not one. */
export function readPemFile(key: string, path: string, what: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new ConfigError([{ key, source: SOURCE, expected: `a readable PEM file holding ${what}`, got: `${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  if (!pem.includes('-----BEGIN ')) throw new ConfigError([{ key, source: SOURCE, expected: `a PEM file holding ${what} (-----BEGIN …)`, got: path }]);
  return pem;
}

export interface CertificateAndKey {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A certificate and its key from two settings that go together: both set, or neither (undefined). */
export function readCertificateAndKey(certKey: string, certPath: string | undefined, keyKey: string, keyPath: string | undefined): CertificateAndKey | undefined {
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined) {
    const missing = certPath === undefined ? certKey : keyKey;
    throw new ConfigError([{ key: missing, source: SOURCE, expected: `set together with ${missing === certKey ? keyKey : certKey}`, got: 'nothing' }]);
  }
  return { cert: readPemFile(certKey, certPath, 'a certificate (chain)'), key: readPemFile(keyKey, keyPath, 'a private key') };
}

/**
 * The client side of a TLS connection to `host`: the server name for SNI and the certificate
 * check (never an IP address, which SNI does not allow; the IP is checked against the
 * certificate's IP SANs), and `ca` when the broker's certificate comes from a private CA.
 */
export function tlsClientOptions(host: string, port: number, ca?: ConnectionOptions['ca']): ConnectionOptions {
  return { host, port, ...(isIP(host) ? {} : { servername: host }), ...(ca === undefined ? {} : { ca }) };
}
