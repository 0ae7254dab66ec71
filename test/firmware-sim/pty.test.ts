// The stick sits behind a real pseudo-terminal that serialport opens by a stable path, like
// /dev/ttyUSB0; unplugging makes the path disappear and the open port see the hang-up.
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { AtPort } from './helpers/at-port.js';
import { simulator } from './helpers/sim.js';

t.test('the device path is a symlink to a pty that serialport opens and talks through', async (t) => {
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0 } });
  const path = sim.stick!.devicePath;
  t.equal(path.split('/').pop(), 'ttyUSB0');
  t.ok(lstatSync(path).isSymbolicLink());
  t.match(readlinkSync(path), /^\/dev\/pts\/\d+$/);
  const port = await AtPort.open(path);
  t.teardown(() => port.close());
  const reply = await port.command('AT');
  t.equal(reply.final, 'OK');
  // (a registration report may come first: it arrives whenever it happens)
  t.match(reply.raw, /AT\r\r\nOK\r\n$/, 'echo is on after power-up, then the framed result');
});

t.test('a chosen folder and name are used, and the folder is left in place on close', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-sim-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0, dir, name: 'ttyHUAWEI' } });
  t.equal(sim.stick!.devicePath, join(dir, 'ttyHUAWEI'));
  await sim.close();
  t.notOk(existsSync(join(dir, 'ttyHUAWEI')), 'the path is gone after close');
  t.ok(existsSync(dir), 'a folder the caller chose is not removed');
});

t.test('a temp folder the simulator made is removed on close', async (t) => {
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0 } });
  const dir = dirname(sim.stick!.devicePath);
  await sim.close();
  t.notOk(existsSync(dir));
});

t.test('unplug closes the open port and removes the path; replug brings a working port back', async (t) => {
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0 } });
  const stick = sim.stick!;
  const port = await AtPort.open(stick.devicePath);
  t.teardown(() => port.close());
  t.equal((await port.command('AT')).final, 'OK');

  await stick.unplug();
  t.notOk(existsSync(stick.devicePath), 'the device path disappears');
  await port.awaitHangup();
  t.ok(port.closed, 'the agent-side port is closed');
  t.equal(stick.snapshot().plugged, false);

  await stick.replug();
  t.ok(existsSync(stick.devicePath), 'the device path is back');
  const again = await AtPort.open(stick.devicePath);
  t.teardown(() => again.close());
  t.equal((await again.command('AT')).final, 'OK');
  t.equal(stick.snapshot().boots, 2, 'the stick booted again');
});

t.test('the port can be closed and opened again while the stick stays plugged in', async (t) => {
  const sim = await simulator(t, { router: false, stick: { latencyScale: 0, urcs: false } });
  const first = await AtPort.open(sim.stick!.devicePath);
  t.equal((await first.command('ATE0')).final, 'OK');
  await first.close();
  const second = await AtPort.open(sim.stick!.devicePath);
  t.teardown(() => second.close());
  const reply = await second.command('AT+CGMI');
  t.same(reply.lines, ['huawei', 'OK'], 'settings survive closing the port (echo still off)');
});
