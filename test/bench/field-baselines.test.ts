// The field baselines follow the programs' own loops; their ranges must match what the field
// reports (HARDWARE.md: mwan3 60-70 s, 120-130 s with its shipped config; pfSense about 15 s).
import t from 'tap';
import { dpingerDetectionS, MWAN3_DEFAULTS, MWAN3_SHIPPED, mwan3DetectionS, PFSENSE_DPINGER_DEFAULTS, phases } from '../../bench/lib/field-baselines.js';

t.test('mwan3: 5 failed rounds of a 4 s ping timeout, 10 s apart, after the next round starts', async (t) => {
  t.equal(mwan3DetectionS(MWAN3_DEFAULTS, 0), 70, 'the cut right after a round: a whole interval to the next');
  t.equal(mwan3DetectionS(MWAN3_DEFAULTS, 0.5), 65);
  t.equal(mwan3DetectionS(MWAN3_SHIPPED, 0.5), 125, 'four targets, each timing out in turn');
  t.equal(mwan3DetectionS({ ...MWAN3_DEFAULTS, down: 1 }, 0.5), 9, 'one failed round is enough with down 1');
});

t.test('dpinger: alarm once more than 20 % of the window is lost', async (t) => {
  const times = phases(20).flatMap((a) => phases(10).map((b) => dpingerDetectionS(PFSENSE_DPINGER_DEFAULTS, a, b)));
  t.ok(Math.min(...times) >= 14 && Math.max(...times) <= 15.5, `between 14 and 15.5 s (got ${Math.min(...times)}–${Math.max(...times)})`);
  const stricter = dpingerDetectionS({ ...PFSENSE_DPINGER_DEFAULTS, lossAlarmPercent: 10 }, 0.5, 0.5);
  t.ok(stricter < dpingerDetectionS(PFSENSE_DPINGER_DEFAULTS, 0.5, 0.5), 'a lower threshold alarms sooner');
});

t.test('phases are spread evenly inside the cycle', async (t) => {
  t.same(phases(4), [0.125, 0.375, 0.625, 0.875]);
});
