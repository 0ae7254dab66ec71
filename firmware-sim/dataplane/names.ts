// Namespace names for one data-plane instance: `<prefix>-<pid>-<n>-<role>`. The pid and a
// per-process counter keep parallel test files and several instances in one process apart; the
// pid also tells a later run whether the owner is gone (a crashed run), so its leftovers can be
// removed without touching the namespaces of a run that is still alive.

export const ROLES = ['lan', 'router', 'dsl', 'mobile', 'inet'] as const;
export type Role = (typeof ROLES)[number];

export const DEFAULT_PREFIX = 'spdp';

const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,11}$/;

export function isValidPrefix(prefix: string): boolean {
  return PREFIX_PATTERN.test(prefix);
}

export function namespaceName(prefix: string, pid: number, instance: number, role: Role): string {
  return `${prefix}-${pid}-${instance}-${role}`;
}

export interface ParsedNamespace {
  readonly name: string;
  readonly pid: number;
  readonly instance: number;
  readonly role: string;
}

/** Reads a namespace name made by namespaceName with this prefix; null for anyone else's. */
export function parseNamespaceName(prefix: string, name: string): ParsedNamespace | null {
  const match = /^(.+)-(\d+)-(\d+)-([a-z]+)$/.exec(name);
  if (!match || match[1] !== prefix) return null;
  return { name, pid: Number(match[2]), instance: Number(match[3]), role: match[4] ?? '' };
}

/** `ip netns list` prints `name` or `name (id: 3)` per line. */
export function parseNetnsList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
