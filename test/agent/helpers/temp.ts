// A fresh temporary folder per test, removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function tempDir(t: { teardown(fn: () => unknown): void }, prefix = 'sp-agent-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // Retries: an agent that is still stopping may write a last file while the folder is removed.
  t.teardown(() => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  return dir;
}
