// The agent's production bundle (`npm run build:agent`, bench/agent-bundle.ts): one file that
// runs with plain node, carries zod's English messages only (no other locale), and still reports
// a bad configuration in English, naming each key.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { buildAgentBundle } from '../../bench/agent-bundle.js';

const run = promisify(execFile);

t.test('the agent bundle', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-bundle-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bundle = await buildAgentBundle(`sp-bundle-test-${process.pid}.mjs`);
  t.teardown(() => rm(bundle, { force: true }));

  const text = await readFile(bundle, 'utf8');
  // (esbuild writes non-ASCII as escapes: words without accents.)
  t.notOk(text.includes('erwartet'), "zod's German messages are not in it");
  t.notOk(text.includes('se esperaba'), 'nor its Spanish ones');
  t.ok(text.includes('Invalid input'), 'its English ones are');

  const help = await run(process.execPath, [bundle, '--help']);
  t.match(help.stdout, /^Usage: serviceplus agent/m, 'runs with plain node');

  const config = join(dir, 'agent.json');
  await writeFile(config, JSON.stringify({ deviceId: 5 }));
  const bad = await run(process.execPath, [bundle, '--config', config, '--check']).then(
    () => null,
    (error: { code: number; stderr: string }) => error,
  );
  t.not(bad, null, 'a bad configuration stops it');
  t.match(bad?.stderr, /deviceId \(from .*agent\.json\): Invalid input: expected string, received number; got 5/, 'with the key, where it came from and an English message');
});
