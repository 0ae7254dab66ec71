// WAL checkpoints off the server's event loop (issue 9). SQLite in WAL mode copies the log back
// into the database file (a checkpoint, with an fsync) inside whichever commit crosses 1,000
// pages; better-sqlite3 is synchronous, so that commit, and every request waiting behind it,
// took the fsync: the slowest boosts and ingest writes (bench/boost.ts). The server turns the
// automatic checkpoint off on its connection and a worker thread with a connection of its own
// runs a PASSIVE checkpoint every second, which never blocks the server's readers or writer.
// Should the worker fail, the automatic checkpoint comes back on, so the log never grows unbounded.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../../shared/log.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

/** SQLite's default: a checkpoint inside the commit that takes the log past 1,000 pages. */
const AUTOCHECKPOINT_PAGES = 1_000;

export interface Checkpointer {
  stop(): Promise<void>;
}

export async function startCheckpointer(database: BetterSqlite3.Database, file: string, log: Logger | undefined, intervalMs = 1_000): Promise<Checkpointer> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file, intervalMs },
  });
  let stopping = false;
  const fallBack = (why: string) => {
    if (stopping) return;
    stopping = true;
    log?.warn({ why }, 'background WAL checkpoints stopped; SQLite checkpoints in its commits again');
    if (database.open) database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { ready?: boolean; error?: string }) => {
      if (message.ready) resolve();
      if (message.error) log?.warn({ err: message.error }, 'background WAL checkpoint failed; tried again in a second');
    });
  });
  worker.on('error', (error) => fallBack(error.message));
  void exited.then(() => fallBack('the checkpoint thread ended'));
  worker.unref();
  database.pragma('wal_autocheckpoint = 0');
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
