// Fault: the agent's disk is full. The agent keeps routing: it fails over to mobile and back on
// its own (R2), its status (retained, kept in memory) still reaches the server, and what it
// cannot write is logged clearly (the file, "no space left"), not in a crash. Messages that
// cannot be written to the outbox still go out from memory, and once there is room again the
// meter writes and reports what it counted. The data folder is a 64 KiB tmpfs filled up by the
// test (mounting needs root; without it the test is skipped, saying why).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { appendFile, open, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startAgent } from '../../agent/main.js';
import { startTestBroker } from '../helpers/broker.js';
import { startRig, statusWhere, until } from '../agent/helpers/agent-rig.js';
import { capturedLog } from './helpers/captured-log.js';

/** A tiny tmpfs, or the reason there is none. */
function tinyDisk(): { dir: string; unmount: () => void } | string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'sp-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmdirSync(dir);
    return `mount -t tmpfs failed: ${(error as Error).message.split('\n')[0]}`;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmdirSync(dir);
    },
  };
}

/** Fills the disk at `dir` to the last byte; returns the filler's path. */
async function fill(dir: string): Promise<string> {
  const path = join(dir, 'filler');
  const handle = await open(path, 'w');
  try {
    for (;;) {
      const { bytesWritten } = await handle.write(Buffer.alloc(4096, 1));
      if (bytesWritten === 0) break;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
  return path;
}

t.test('disk full: the agent keeps failing over and back, says so in its log, and catches up once there is room', async (t) => {
  const disk = tinyDisk();
  if (typeof disk === 'string') {
    t.comment(`skipped: ${disk}`);
    t.pass(`skipped: ${disk}`);
    return;
  }
  const rig = await startRig(t, { broker: await startTestBroker() });
  rig.closers.push(async () => disk.unmount());
  const captured = capturedLog();
  const agent = await startAgent({ ...rig.config, dataDir: disk.dir }, { log: captured.log });
  rig.closers.push(() => agent.stop());
  const stick = rig.sim.stick!;
  await statusWhere(rig, 'on DSL', (s) => s.activePath === 'dsl' && s.modem.state === 'registered', 60_000);

  // tmpfs hands out whole 4 KiB pages: the outbox's last page is padded too (a blank line, which
  // the outbox skips on load), so that its next append needs a page the full disk cannot give.
  const outboxLog = join(disk.dir, 'outbox.log');
  const size = (await stat(outboxLog)).size;
  if (size % 4096 !== 0) await appendFile(outboxLog, ' '.repeat(4096 - (size % 4096) - 1) + '\n');
  const filler = await fill(disk.dir);
  rig.sim.router!.setLine('down');
  await statusWhere(rig, 'failed over with the disk full', (s) => s.activePath === 'mobile' && s.modem.state === 'connected', 60_000);
  t.ok(stick.snapshot().session, 'the mobile session is up: routing goes on (R2)');
  stick.setLoad({ up: 1, down: 1 }); // traffic for the meter, which cannot save it
  await until('the meter saying it cannot save', () => captured.find((l) => l.msg === 'meter state not saved; will retry'), 30_000);
  const meterLine = captured.find((l) => l.msg === 'meter state not saved; will retry')!;
  t.equal(meterLine.level, 50, 'logged as an error');
  t.match(String(meterLine['err']), /meter\.json.*(ENOSPC|no space left)/i, `names the file and the cause: ${String(meterLine['err'])}`);
  const failover = await rig.server.waitFor('the failover event', () => rig.server.of('events').find((e) => e.type === 'failover'), 30_000);
  t.match(failover, { from: 'dsl', to: 'mobile' }, 'the failover event reached the server although the outbox could not write it');
  t.ok(captured.find((l) => l.msg.startsWith('outbox: cannot write')), 'the outbox says it keeps messages in memory');

  rig.sim.router!.setLine('up');
  const failback = await rig.server.waitFor('the failback event', () => rig.server.of('events').find((e) => e.type === 'failback'), 60_000);
  t.match(failback, { from: 'mobile', to: 'dsl' }, 'failed back with the disk full (R2)');
  t.equal(agent.status().activePath, 'dsl');
  stick.setLoad({ up: 0, down: 0 });
  const errorsWhileFull = captured.problems().filter((l) => l.level >= 50).length;
  t.ok(errorsWhileFull < 60, `a bounded number of error lines while full (${errorsWhileFull})`);

  await unlink(filler);
  await rig.server.waitFor('usage after room came back', () => rig.server.of('usage').find((u) => u.upBytes + u.downBytes > 0), 30_000);
  t.ok(captured.find((l) => l.msg === 'outbox: writing to disk again'), 'the outbox says it writes again');
  t.notOk(captured.lines.some((l) => l.level >= 60), 'nothing fatal');
  t.equal(agent.status().activePath, 'dsl', 'still on DSL, still deciding');
});
