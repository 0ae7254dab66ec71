// A child process for the power-cut test: the agent's real MeterService on a fake stick whose
// counters grow without pause, writing its state file as often as it may (persist interval 1 ms)
// and printing each usage report as `up down` once it is sent, which the meter does only after
// the state it comes from is on disk. The parent kills it with SIGKILL at a random moment. Run
// with tsx: meter-writer.ts <state file>.
import { systemClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import { MeterService } from '../../../agent/meter/meter-service.js';
import { FakeModem } from '../../agent/helpers/fake-modem.js';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: meter-writer.ts <file>');
const modem = new FakeModem();
modem.clock = systemClock;
modem.setState('connected');
const meter = await MeterService.open({
  modem,
  clock: systemClock,
  log: silentLogger(),
  file,
  capBytes: 5_000_000_000,
  persistIntervalMs: 1,
  maxBytesPerSecond: 450_000,
  report: async ({ usage }) => {
    for (const u of usage) process.stdout.write(`${u.upBytes} ${u.downBytes}\n`);
  },
});
meter.start();
for (;;) {
  modem.traffic(1_000, 3_000);
  await meter.flush();
}
