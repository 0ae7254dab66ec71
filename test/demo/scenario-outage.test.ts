// `npm start -- --scenario outage` as CI runs it: the real CLI in a child process, on free ports,
// plays the whole story and exits 0, printing every step with its time offset, in order.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { demoDataDir, startDemoProcess } from './helpers.js';

// Its steps' deadlines add up to about 4 minutes; it takes 30 to 60 s on a quiet machine.
t.setTimeout(300_000);

const STEPS = ['ready', 'DSL cut', 'failover', 'boost requested', 'boost applied', 'boost expired', 'DSL back', 'failback'];

t.test('the outage scenario plays every step and exits 0', async (t) => {
  const dataDir = demoDataDir(t);
  const demo = startDemoProcess(t, ['--scenario', 'outage', '--data-dir', dataDir]);
  const code = await demo.exited;
  const out = demo.stdout();
  t.equal(code, 0, `exit code 0\n${out}\n${demo.stderr()}`);
  t.equal(demo.stderr(), '', 'nothing on stderr');

  // Each step once, in order, each with its offset from the start.
  const lines = out.split('\n');
  let previousOffset = -1;
  let previousIndex = -1;
  for (const step of STEPS) {
    const index = lines.findIndex((line) => new RegExp(`^  \\+\\s*\\d+\\.\\ds  ${step}\\s`).test(line));
    t.ok(index > previousIndex, `step "${step}" is printed after the one before (line ${index})`);
    const offset = Number(/\+\s*(\d+\.\d)s/.exec(lines[index] ?? '')?.[1]);
    t.ok(offset >= previousOffset, `step "${step}" at +${offset}s, not before the step before`);
    t.notMatch(lines[index], /FAILED/);
    previousIndex = index;
    previousOffset = offset;
  }
  t.match(out, /failover\s+the server has the router on mobile \(failover event/);
  t.match(out, /boost requested\s+demo logged in and asked for a boost: HTTP 201, 1 of 2 this month, lasts 15 s/);
  t.match(out, /boost applied\s+the router acked it: \d+\/\d+ kbit\/s; confirmation mail to demo@example\.com/);
  t.match(out, /boost expired\s+the boost ended \(expired\); the router is back on 128\/64 kbit\/s/);
  t.match(out, /failback\s+the server has the router on DSL again/);
  t.match(out, /scenario outage: passed, 8 steps in \d+\.\d s/);

  // R6: the confirmation mail went out once the router applied the boost (to the demo's mail log).
  const mails = readFileSync(join(dataDir, 'mail.log'), 'utf8');
  t.match(mails, /To: demo@example\.com/);
  t.equal(mails.match(/^To: /gm)?.length, 1, 'one mail');
  t.ok(readFileSync(join(dataDir, 'demo.log'), 'utf8').includes('"msg":"demo stopped"'), 'the log says everything stopped');
});
