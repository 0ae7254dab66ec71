// Fault: the agent loses power (or is killed) while it writes its state. Every state file goes
// through agent/store/atomic-file.ts (temp file, fsync, rename, fsync of the folder), so a
// reader finds the old file or the new one, never a torn one, and the meter reports usage only
// once the state it comes from is on disk, so no reported usage is lost. Here the real
// MeterService writes as fast as it may and is killed with SIGKILL at random moments, five
// times on one file. A real power cut also drops what was not fsynced: the torn temp files such
// a cut leaves are planted by hand. The outbox's own kill -9 test is in
// test/agent/uplink/outbox.test.ts; the whole agent killed mid-session in test/e2e/agent-kill.test.ts.
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import { TestClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/log.js';
import { MeterService } from '../../agent/meter/meter-service.js';
import { readJsonFile, writeFileAtomic } from '../../agent/store/atomic-file.js';
import { FakeModem } from '../agent/helpers/fake-modem.js';
import { tempDir } from '../agent/helpers/temp.js';
import { seededRandom } from './helpers/seeded.js';

const writer = new URL('./helpers/meter-writer.ts', import.meta.url).pathname;

/** Runs the writer until it reported `reports` times, kills it, and returns the last report's total. */
async function runAndKill(file: string, reports: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffer = '';
  let seen = 0;
  let lastTotal = 0;
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('the meter writer did not get going')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [up, down] = line.split(' ').map(Number);
        lastTotal = up! + down!;
        seen++;
      }
      if (seen >= reports && !child.killed) {
        clearTimeout(deadline);
        child.kill('SIGKILL'); // mid-write: the writer never pauses
        resolve();
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => code !== null && reject(new Error(`the writer exited with ${code}`)));
  });
  await new Promise((resolve) => child.on('close', resolve));
  return lastTotal;
}

async function savedTotal(file: string): Promise<number> {
  const meter = await MeterService.open({
    modem: new FakeModem(),
    clock: new TestClock(Date.now()),
    log: silentLogger(),
    file,
    capBytes: 5_000_000_000,
    persistIntervalMs: 60_000,
    maxBytesPerSecond: 450_000,
    report: async () => {},
  });
  const saved = meter.saved();
  return saved.upBytes + saved.downBytes;
}

t.test('killed mid-write five times: the meter file is whole each time, and no reported usage is lost', async (t) => {
  const random = seededRandom(t, 'power-cut');
  const dir = await tempDir(t, 'sp-power-cut-');
  const file = join(dir, 'meter.json');
  let previous = 0;
  for (let round = 1; round <= 5; round++) {
    const reported = await runAndKill(file, 20 + Math.floor(random() * 200));
    const loaded = await readJsonFile(file, z.object({ v: z.literal(1) }).loose());
    t.equal(loaded.kind, 'loaded', `round ${round}: the state file parses`);
    const saved = await savedTotal(file);
    t.ok(saved >= reported, `round ${round}: on disk ${saved} bytes >= last reported ${reported}`);
    t.ok(saved >= previous, `round ${round}: usage never goes back (${previous} before)`);
    previous = saved;
  }
});

t.test('a torn temp file from a power cut is ignored, and the next write replaces the state', async (t) => {
  const dir = await tempDir(t, 'sp-power-cut-');
  const file = join(dir, 'profile.json');
  // What a cut between write and rename leaves (the agent that wrote it is gone): the old state,
  // and a half-written temp file beside it.
  await writeFile(file, JSON.stringify({ v: 1, n: 1 }));
  await writeFile(join(dir, '.profile.json.4242.0.tmp'), '{"v":1,"n":');
  t.same(JSON.parse(await readFile(file, 'utf8')), { v: 1, n: 1 }, 'the old state is what a restart reads');
  await writeFileAtomic(file, JSON.stringify({ v: 1, n: 2 }));
  t.same(JSON.parse(await readFile(file, 'utf8')), { v: 1, n: 2 });
  t.same(
    (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
    [],
    'leftover temp files of earlier writers are removed, so repeated cuts do not fill the flash',
  );
});
