// The demo's working folder (database, agent state, logs, mails). Every start begins fresh: the
// folder is emptied, but only when it is empty already or a demo made it (a marker file), so a
// mistyped --data-dir never wipes anything else, and never while another demo is using it.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const MARKER = '.serviceplus-demo';
const PID_FILE = 'demo.pid';

export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

export interface DemoPaths {
  readonly root: string;
  readonly server: string;
  readonly agent: string;
  readonly log: string;
  readonly mail: string;
}

export async function prepareDataDir(dir: string): Promise<DemoPaths> {
  const root = resolve(dir);
  if (existsSync(root)) {
    const entries = await readdir(root);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new DataDirError(`${root} is not empty and was not made by the demo; choose another folder with --data-dir`);
    }
    const owner = await runningOwner(join(root, PID_FILE));
    if (owner !== null) throw new DataDirError(`another demo (pid ${owner}) is using ${root}; stop it, or choose another folder with --data-dir`);
    for (const entry of entries) await rm(join(root, entry), { recursive: true, force: true });
  }
  await mkdir(root, { recursive: true, mode: 0o700 });
  await writeFile(join(root, MARKER), 'Made by `serviceplus demo`; emptied on its next start.\n');
  await writeFile(join(root, PID_FILE), `${process.pid}\n`);
  return {
    root,
    server: join(root, 'server'),
    agent: join(root, 'agent'),
    log: join(root, 'demo.log'),
    mail: join(root, 'mail.log'),
  };
}

/** The pid in the file when that process is still running (and is not this one), else null. */
async function runningOwner(file: string): Promise<number | null> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
