// Event ids: unique per event so the server can drop duplicates (resends after a reconnect or a
// restart), short and safe for the contract's IdSchema.
import { randomBytes } from 'node:crypto';

export type IdSource = (prefix: string) => string;

export const randomIds: IdSource = (prefix) => `${prefix}-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
