// Command builders: configuration values cannot inject a second command; rates go out on
// the grid the stick accepts.
import t from 'tap';
import { silentLogger } from '../../../../shared/log.js';
import { TestClock } from '../../../../shared/clock.js';
import { PROFILES } from '../../../../shared/service.js';
import { isModemError } from '../../../../agent/modem/errors.js';
import { defineContext, enterPin, ndisUp, requestQos } from '../../../../agent/modem/huawei/commands.js';
import { snapRates, snapToGrid } from '../../../../agent/modem/huawei/rate-grid.js';
import { createModem } from '../../../../agent/modem/index.js';
import { resolveModemOptions } from '../../../../agent/modem/options.js';

const base = { devicePath: '/dev/ttyUSB0', apn: 'internet', clock: new TestClock(), logger: silentLogger() };

t.test('commands built from configuration', async (t) => {
  t.equal(ndisUp('internet').text, 'AT^NDISDUP=1,1,"internet"');
  t.equal(defineContext('fast.kpn.nl').text, 'AT+CGDCONT=1,"IP","fast.kpn.nl"');
  t.same(enterPin('1234'), { text: 'AT+CPIN="1234"', logAs: 'AT+CPIN="****"' });
  t.equal(requestQos({ downKbps: 128, upKbps: 64 }).text, 'AT+CGEQREQ=1,2,64,128');
});

t.test('an APN or PIN that could end the command or chain another is refused', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['internet"\r\nAT+CFUN=0', /line break/],
    ['internet;+CFUN=0', /";"/],
    ['inter"net', /double quote/],
    ['inter\u0000net', /printable/],
    ['internét', /printable/],
    ['', /1 to 100/],
    ['x'.repeat(101), /1 to 100/],
  ];
  for (const [apn, why] of bad) {
    t.throws(() => ndisUp(apn), { code: 'invalid-option' }, JSON.stringify(apn));
    t.throws(() => resolveModemOptions({ ...base, apn }), { code: 'invalid-option', message: why }, `option validation: ${JSON.stringify(apn)}`);
  }
  for (const pin of ['12a4', '123', '123456789', '1234"', '1234\r', '12;4']) {
    t.throws(() => enterPin(pin), { code: 'invalid-option' }, pin);
    let caught: unknown = null;
    try {
      createModem({ ...base, pin });
    } catch (error) {
      caught = error;
    }
    t.ok(isModemError(caught, 'invalid-option') && /SIM PIN/.test(caught.message), `createModem refuses ${JSON.stringify(pin)}`);
    t.notOk(String((caught as Error).message).includes(pin), 'and does not echo the PIN');
  }
});

t.test('rates outside what +CGEQREQ takes are refused', async (t) => {
  t.throws(() => requestQos({ downKbps: 0, upKbps: 64 }), { code: 'invalid-option' });
  t.throws(() => requestQos({ downKbps: 128.5, upKbps: 64 }), { code: 'invalid-option' });
  t.throws(() => requestQos({ downKbps: 17000, upKbps: 64 }), { code: 'invalid-option' });
});

t.test('rates snap to the nearest grid value', async (t) => {
  t.same(snapRates(PROFILES.baseline), { downKbps: 128, upKbps: 64 }, 'R3 is on the grid');
  t.same(snapRates(PROFILES.boost), { downKbps: 3584, upKbps: 1408 }, 'R4: 3600 → 3584, 1400 → 1408');
  t.equal(snapToGrid(100, 'up'), 96, '64–568 in steps of 8 (100 is between 96 and 104: tie goes down)');
  t.equal(snapToGrid(570, 'up'), 568, 'between the 8-step and 64-step segments');
  t.equal(snapToGrid(574, 'up'), 576);
  t.equal(snapToGrid(9000, 'up'), 8640, 'uplink tops out at 8640');
  t.equal(snapToGrid(9000, 'down'), 9000, 'downlink goes on in steps of 100');
  t.equal(snapToGrid(8660, 'down'), 8640);
  t.equal(snapToGrid(8690, 'down'), 8700);
  t.equal(snapToGrid(20000, 'down'), 16000);
  t.equal(snapToGrid(0, 'down'), 1);
  t.equal(snapToGrid(40, 'down'), 40, '1–63 in steps of 1');
});

t.test('option defaults', async (t) => {
  const options = resolveModemOptions(base);
  t.equal(options.pin, null);
  t.same(options.timeouts, { commandMs: 3000, pinMs: 10_000, registerMs: 120_000, cfunMs: 5000, dialMs: 3000, modifyMs: 10_000 });
  t.equal(options.recovery.maxTimeoutsInARow, 10);
  t.equal(options.recovery.resetCommand, 'restart');
  t.equal(options.timing.connectTimeoutMs, 60_000);
  t.throws(() => resolveModemOptions({ ...base, devicePath: '' }), { code: 'invalid-option', message: /devicePath/ });
  t.throws(() => resolveModemOptions({ ...base, timeouts: { commandMs: -1 } }), { code: 'invalid-option', message: /timeouts\.commandMs/ });
});
