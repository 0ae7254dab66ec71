// The outbox keeps messages on disk until delivered, in order, across restarts and kill -9.
import { spawn } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { silentLogger } from '../../../shared/log.js';
import { Outbox } from '../../../agent/uplink/outbox.js';
import { tempDir } from '../helpers/temp.js';

const log = silentLogger();

t.test('messages come back in order after a restart, delivered ones do not', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'outbox.log');
  const a = await Outbox.open(path, { log });
  for (let i = 1; i <= 5; i++) await a.append(i % 2 ? 'events' : 'usage', `{"i":${i}}`);
  await a.delivered(1);
  await a.delivered(3);
  t.same(a.pending().map((e) => e.payload), ['{"i":2}', '{"i":4}', '{"i":5}']);
  await a.close();
  const b = await Outbox.open(path, { log });
  t.same(b.pending().map((e) => [e.n, e.kind, e.payload]), [[2, 'usage', '{"i":2}'], [4, 'usage', '{"i":4}'], [5, 'events', '{"i":5}']]);
  const next = await b.append('acks', '{"i":6}');
  t.equal(next.n, 6, 'numbering continues after the last one');
  await b.close();
});

t.test('a torn last line (power cut mid-write) is skipped and does not swallow the next message', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'outbox.log');
  const a = await Outbox.open(path, { log });
  await a.append('events', '{"i":1}');
  await a.close();
  await appendFile(path, '{"n":2,"k":"events","p":"{\\"i\\":2');
  const b = await Outbox.open(path, { log });
  t.same(b.pending().map((e) => e.payload), ['{"i":1}']);
  await b.append('events', '{"i":3}');
  await b.close();
  const c = await Outbox.open(path, { log });
  t.same(c.pending().map((e) => e.payload), ['{"i":1}', '{"i":3}']);
  await c.close();
});

t.test('once everything is delivered the log is compacted, and numbering goes on', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'outbox.log');
  const a = await Outbox.open(path, { log, compactBytes: 1_000 });
  for (let i = 1; i <= 30; i++) await a.append('events', `{"payload":"${'x'.repeat(20)}","i":${i}}`);
  for (let i = 1; i <= 30; i++) await a.delivered(i);
  await a.flush();
  t.ok((await stat(path)).size < 100, 'the log shrank to its header');
  await a.append('events', '{"i":31}');
  await a.close();
  const b = await Outbox.open(path, { log });
  t.same(b.pending().map((e) => e.n), [31]);
  await b.close();
});

t.test('a full outbox drops its oldest messages, with a warning', async (t) => {
  const dir = await tempDir(t);
  const a = await Outbox.open(join(dir, 'outbox.log'), { log, maxEntries: 3 });
  for (let i = 1; i <= 5; i++) await a.append('usage', `{"i":${i}}`);
  t.same(a.pending().map((e) => e.n), [3, 4, 5]);
  await a.close();
});

t.test('garbage lines in the file are skipped, the rest is kept', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'outbox.log');
  await writeFile(path, '{"n":1,"k":"events","p":"{}"}\nnot json\n{"n":2,"k":"bogus","p":"{}"}\n{"n":3,"k":"acks","p":"{}"}\n');
  const a = await Outbox.open(path, { log });
  t.same(a.pending().map((e) => e.n), [1, 3]);
  await a.close();
});

t.test('kill -9 of a writing process loses no message whose append had resolved', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'outbox.log');
  const writer = new URL('../helpers/outbox-writer.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', writer, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const confirmed: number[] = [];
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('the writer did not get going')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) confirmed.push(Number(line));
      if (confirmed.length >= 200 && !child.killed) {
        clearTimeout(deadline);
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('error', reject);
  });
  await new Promise((resolve) => child.on('close', resolve));
  const outbox = await Outbox.open(path, { log });
  const kept = new Set(outbox.pending().map((e) => JSON.parse(e.payload).i as number));
  const delivered = new Set(confirmed.filter((i) => i % 5 === 1 && confirmed.includes(i + 4)));
  const missing = confirmed.filter((i) => !kept.has(i) && !delivered.has(i));
  t.same(missing, [], `all ${confirmed.length} confirmed messages are there (or were marked delivered)`);
  const order = outbox.pending().map((e) => e.n);
  t.same(order, [...order].sort((a, b) => a - b), 'in order');
  t.ok((await readFile(path, 'utf8')).length > 0);
  await outbox.close();
});
