// State files that survive a kill -9 or a power cut: write a temp file, fsync it, rename it over
// the old one, fsync the directory. A reader sees the old file or the new one, never half of one.
import { open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { z } from 'zod';
import { AgentError, describeError } from '../errors.js';

let tempCounter = 0;
const swept = new Set<string>();

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  if (!swept.has(path)) {
    swept.add(path);
    await removeStaleTemps(dir, basename(path));
  }
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDirectory(dir);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw new AgentError('state-write', `cannot write ${path}: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Removes the temp files an earlier process left behind when it was killed or lost power between
 * writing and renaming: each is a partial copy of the state, and repeated cuts would otherwise
 * pile them up on the router's small flash. Our own process's temps are left alone.
 */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const prefix = `.${name}.`;
  const ours = `${prefix}${process.pid}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const entry of names) {
    if (entry.startsWith(prefix) && entry.endsWith('.tmp') && !entry.startsWith(ours)) await unlink(join(dir, entry)).catch(() => {});
  }
}

/** Makes a rename (or a new file) in `dir` durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export type LoadResult<T> =
  | { readonly kind: 'loaded'; readonly value: T }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly error: string };

/** Reads a JSON state file and checks it with `schema`; never throws for a missing or bad file. */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S): Promise<LoadResult<z.output<S>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', error: describeError(error) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', error: `not JSON: ${describeError(error)}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { kind: 'loaded', value: parsed.data };
}
