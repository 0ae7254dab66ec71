// The one CLI: every subcommand answers --help, and an unknown command is refused clearly.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';

const run = promisify(execFile);
const cli = new URL('../bin/serviceplus.js', import.meta.url).pathname;

async function serviceplus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

t.test('--help lists the four programs', async (t) => {
  const { code, stdout } = await serviceplus('--help');
  t.equal(code, 0);
  for (const name of ['server', 'agent', 'sim', 'demo']) t.match(stdout, new RegExp(`^  ${name}\\s`, 'm'));
});

t.test('each subcommand prints its own --help', async (t) => {
  for (const name of ['server', 'agent', 'sim', 'demo']) {
    const { code, stdout } = await serviceplus(name, '--help');
    t.equal(code, 0, `${name} --help exits 0`);
    t.match(stdout, new RegExp(`^Usage: serviceplus ${name}`), `${name} --help starts with its usage`);
  }
});

t.test('an unknown command exits 2 and shows the usage', async (t) => {
  const { code, stderr } = await serviceplus('frobnicate');
  t.equal(code, 2);
  t.match(stderr, /unknown command 'frobnicate'/);
  t.match(stderr, /Usage: serviceplus <command>/);
});
