// AT commands built from configuration cannot carry a second command (issue 11, security): an
// APN or SIM PIN with a line break, `;`, a quote, a control byte, non-ASCII text or the wrong
// length is refused by the agent's settings and by the modem's options, each with a clear
// error naming it; a valid one goes unchanged into exactly one command, which the simulated
// stick, on the other end of a real pty, reads as exactly one command with that argument.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { parseCommandLine } from '../../../firmware-sim/stick/at-parser.js';
import { startSimulator } from '../../../firmware-sim/index.js';
import { ConfigError } from '../../../shared/config.js';
import { systemClock, TestClock } from '../../../shared/clock.js';
import { silentLogger } from '../../../shared/log.js';
import { loadAgentConfig } from '../../../agent/config.js';
import { isModemError, ModemError } from '../../../agent/modem/errors.js';
import { defineContext, enterPin, ndisUp } from '../../../agent/modem/huawei/commands.js';
import { createModem, resolveModemOptions } from '../../../agent/modem/index.js';
import { tempDir } from '../../agent/helpers/temp.js';
import { expect, fuzz } from '../helpers/fuzz.js';

const REQUIRED = { routerPassword: 'pw', devicePath: '/dev/ttyUSB0', deviceId: 'fb-fuzz', mqttUrl: 'mqtt://127.0.0.1:1883', deviceSecret: 'a-device-secret' };
const MODEM = { devicePath: '/dev/ttyUSB0', clock: new TestClock(), logger: silentLogger() };

/** Characters an APN may hold: printable ASCII but the quote and the semicolon. */
const APN_CHARS = [...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))].filter((c) => c !== '"' && c !== ';');
const validApn = fc.string({ unit: fc.constantFrom(...APN_CHARS), minLength: 1, maxLength: 100 });

/** What could end the command line or start another one, or is not what a stick takes. */
const FORBIDDEN = ['\r', '\n', '\r\n', ';', '"', '\u0000', '\u0007', '\u001b', '\u007f', '\t', 'é', '\u2028', '🚀', '\u0085'] as const;
const badApn = fc.oneof(
  fc.tuple(validApn, fc.constantFrom(...FORBIDDEN), fc.nat(), fc.constantFrom('', 'AT+CFUN=0', '+CFUN=0', 'AT^NDISDUP=1,0'))
    .map(([apn, bad, at, tail]) => apn.slice(0, at % (apn.length + 1)) + bad + tail + apn.slice(at % (apn.length + 1)))
    .filter((apn) => apn.length <= 100),
  fc.string({ unit: fc.constantFrom(...APN_CHARS), minLength: 101, maxLength: 300 }),
  fc.constant(''),
);
const badPin = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }).filter((pin) => !/^\d{4,8}$/.test(pin)),
  fc.tuple(fc.stringMatching(/^\d{4,8}$/), fc.constantFrom(...FORBIDDEN)).map(([pin, bad]) => pin + bad),
);

/** Loads the agent's settings from a JSON file holding `values` (the path a real deployment uses). */
function loadFromFile(dir: string, values: Record<string, unknown>) {
  const file = join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify({ ...REQUIRED, ...values }));
  return loadAgentConfig({ file, env: {} });
}

/** The same validation without the file, for the many runs of a property. */
function load(_dir: string, values: Record<string, unknown>) {
  return loadAgentConfig({ env: {}, overrides: { ...REQUIRED, ...values } });
}

function configError(load: () => unknown): ConfigError | null {
  try {
    load();
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

function modemError(build: () => unknown): ModemError | null {
  try {
    build();
    return null;
  } catch (error) {
    if (isModemError(error)) return error;
    throw error;
  }
}

/** A message a person can read: lines without C0 control characters (a raw CR or ESC from the bad value). */
const readable = (message: string) => message.split('\n').every((line) => !/[\x00-\x1f]/.test(line));

t.test('regression: the agent settings took an APN the modem refuses', async (t) => {
  // `serviceplus agent --check` said yes to it, and start-up failed later with exit code 1.
  const dir = await tempDir(t);
  const error = configError(() => loadFromFile(dir, { apn: 'internet";+CFUN=0' }));
  t.ok(error, 'refused when the settings are read');
  t.match(error?.problems, [{ key: 'apn', expected: /the APN must not contain ";"/ }]);
  t.equal(loadFromFile(dir, {}).apn, 'internet', 'the default is still internet');
});

t.test('an APN that could end the command or chain another is refused everywhere, with a clear error', async (t) => {
  const dir = await tempDir(t);
  await fuzz(
    t,
    'bad APNs',
    fc.property(badApn, (apn) => {
      const config = configError(() => load(dir, { apn }));
      expect(config !== null, () => `the agent settings took the APN ${JSON.stringify(apn)}`);
      expect(config.problems.length === 1 && config.problems[0]!.key === 'apn' && /the APN must/.test(config.problems[0]!.expected), () => `not a clear error about apn: ${config.message}`);
      expect(readable(config.message), () => `the settings error is not plain text: ${JSON.stringify(config.message)}`);
      const options = modemError(() => resolveModemOptions({ ...MODEM, apn }));
      expect(options?.code === 'invalid-option' && /^invalid modem options: apn: the APN must/.test(options.message), () => `modem options: ${options?.message ?? 'accepted'}`);
      expect(readable(options.message), () => `the modem error is not plain text: ${JSON.stringify(options.message)}`);
      for (const build of [ndisUp, defineContext]) {
        const error = modemError(() => build(apn));
        expect(error?.code === 'invalid-option', () => `${build.name} built a command from ${JSON.stringify(apn)}`);
      }
    }),
    500,
  );
});

t.test('a SIM PIN that is not 4 to 8 digits is refused everywhere, and never shown', async (t) => {
  const dir = await tempDir(t);
  await fuzz(
    t,
    'bad PINs',
    fc.property(badPin, (pin) => {
      const config = configError(() => load(dir, { simPin: pin }));
      expect(config !== null && config.problems.some((p) => p.key === 'simPin'), () => `the agent settings took the PIN ${JSON.stringify(pin)}`);
      expect(!config.message.includes(JSON.stringify(pin)), () => `the settings error shows the PIN: ${config.message}`);
      const options = modemError(() => createModem({ ...MODEM, apn: 'internet', pin }));
      expect(options?.code === 'invalid-option' && /SIM PIN/.test(options.message), () => `modem options: ${options?.message ?? 'accepted'}`);
      const rest = options.message.replace(/^invalid modem options: pin: the SIM PIN (must not contain a line break|must not contain ";" \(it would chain a second command\)|must not contain a double quote|must be printable ASCII|must be 4 to 8 digits)$/, '');
      expect(rest === '', () => `the modem error says more than why: ${JSON.stringify(options.message)}`);
      expect(modemError(() => enterPin(pin))?.code === 'invalid-option', `enterPin built a command from ${JSON.stringify(pin)}`);
    }),
    500,
  );
});

t.test('a valid APN or PIN passes unchanged into exactly one command', async (t) => {
  const dir = await tempDir(t);
  await fuzz(
    t,
    'valid APNs and PINs',
    fc.property(validApn, fc.stringMatching(/^\d{4,8}$/), (apn, pin) => {
      const config = load(dir, { apn, simPin: pin });
      expect(config.apn === apn && config.simPin === pin, () => `changed on the way: ${JSON.stringify(config.apn)} ${JSON.stringify(config.simPin)}`);
      expect(resolveModemOptions({ ...MODEM, apn, pin }).apn === apn, 'the modem options changed the APN');
      for (const [command, name, index] of [
        [ndisUp(apn).text, '^NDISDUP', 2],
        [defineContext(apn).text, '+CGDCONT', 2],
        [enterPin(pin).text, '+CPIN', 0],
      ] as const) {
        expect(!/[\r\n]/.test(command), `${command} holds a line break`);
        // The simulated stick's own parser (written apart from the agent) reads one command.
        const parsed = parseCommandLine(command.slice(2));
        expect(parsed.ok && parsed.commands.length === 1, () => `${JSON.stringify(command)} reads as ${JSON.stringify(parsed)}`);
        const [only] = parsed.commands;
        expect(only!.name === name && only!.args[index] === (name === '+CPIN' ? pin : apn) && only!.quoted[index] === true, () => `${JSON.stringify(command)} reads as ${JSON.stringify(only)}`);
      }
    }),
    500,
  );
});

t.test('over a real pty, one configured APN gives exactly the expected commands and no others', async (t) => {
  /** Every command line the modem may send on the way to a data session (and none else). */
  const known = (apn: string) =>
    new Set([
      'ATE0', 'ATV1', 'AT+CMEE=1', 'AT^CURC=1', 'ATI', 'AT+CGMI', 'AT+CGMM', 'AT+CGSN', 'AT+CPIN?', 'AT+CREG=2', 'AT+CGREG=2', 'AT+COPS=3,0',
      'AT+CREG?', 'AT+CGREG?', 'AT+COPS?', 'AT^SYSINFO', 'AT+CSQ', 'AT^NDISSTATQRY?', 'AT^DSFLOWQRY', 'AT+CGEQNEG=1', 'AT^NDISDUP=1,0',
      `AT+CGDCONT=1,"IP","${apn}"`, `AT^NDISDUP=1,1,"${apn}"`,
    ]);
  await fuzz(
    t,
    'configured APNs on the wire',
    fc.asyncProperty(validApn.filter((apn) => apn.trim() === apn), async (apn) => {
      const sim = await startSimulator({ router: false, control: null, stick: { latencyScale: 0 } });
      const stick = sim.stick!;
      const modem = createModem({ apn, devicePath: stick.devicePath, clock: systemClock, logger: silentLogger() });
      try {
        await modem.start();
        modem.setSessionWanted(true);
        const deadline = Date.now() + 20_000;
        while (stick.snapshot().session === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(stick.snapshot().session !== null, 'no data session came up');
      } finally {
        await modem.stop();
        sim.close();
      }
      const sent = stick.commands();
      const withApn = sent.filter((line) => line.includes(`"${apn}"`));
      expect(
        JSON.stringify(withApn) === JSON.stringify([`AT+CGDCONT=1,"IP","${apn}"`, `AT^NDISDUP=1,1,"${apn}"`]),
        () => `the APN went out as ${JSON.stringify(withApn)}`,
      );
      const unexpected = sent.filter((line) => !known(apn).has(line));
      expect(unexpected.length === 0, () => `commands nobody asked for: ${JSON.stringify(unexpected)}`);
      for (const line of sent) {
        const parsed = parseCommandLine(line.slice(2));
        expect(parsed.ok && parsed.commands.length === 1, () => `${JSON.stringify(line)} is ${parsed.ok ? parsed.commands.length : 'not'} one command to the stick`);
      }
    }),
    10,
  );
});
