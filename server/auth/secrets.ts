// Secrets at rest. Random secrets the server generates (device passwords, operator tokens,
// session tokens) carry 192 to 256 bits, so a fast keyed hash is enough and 10,000 routers can
// reconnect at once. Passwords people choose get scrypt, which is slow on purpose.
import { createHash, createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** A random secret as URL-safe text, with an optional readable prefix (`spo_…`). */
export function randomSecret(bytes = 32, prefix = ''): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export function randomSalt(): string {
  return randomBytes(16).toString('base64url');
}

/** HMAC-SHA256 of a device secret under its per-device salt. */
export function hashDeviceSecret(secret: string, salt: string): string {
  return createHmac('sha256', salt).update(secret, 'utf8').digest('hex');
}

export function verifyDeviceSecret(secret: string, salt: string, expectedHex: string): boolean {
  return equalHex(hashDeviceSecret(secret, salt), expectedHex);
}

/** SHA-256 of a bearer token; tokens are looked up by this hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** cost;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, so a hash keeps its own cost when the default changes. */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, cost, SCRYPT_R, SCRYPT_P);
  return ['scrypt', cost, SCRYPT_R, SCRYPT_P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, costText, rText, pText, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !costText || !rText || !pText || !saltText || !hashText) return false;
  const cost = Number(costText);
  const r = Number(rText);
  const p = Number(pText);
  if (![cost, r, p].every((n) => Number.isInteger(n) && n > 0) || cost > 22) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const key = await scrypt(password.normalize('NFC'), Buffer.from(saltText, 'base64url'), cost, r, p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Spends the same time as a real check, so an unknown login cannot be told from a wrong password. */
export async function verifyAgainstNothing(password: string, cost: number): Promise<false> {
  await scrypt(password, Buffer.alloc(16), cost, SCRYPT_R, SCRYPT_P);
  return false;
}
