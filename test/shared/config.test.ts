import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { z } from 'zod';
import { ConfigError, envName, loadConfig } from '../../shared/config.js';

const schema = z.object({
  httpPort: z.number().int().min(1).max(65_535).default(8080),
  dataDir: z.string().min(1).default('./data'),
  debugWire: z.boolean().default(false),
  simPin: z.string().regex(/^\d{4,8}$/, 'expected 4 to 8 digits').optional(),
  probeTargets: z.array(z.string()).min(2).default(['192.0.2.1', '192.0.2.2']),
  mqttUrl: z.url().optional(),
});

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

t.test('names: camelCase keys map to SP_SNAKE_CASE variables', async (t) => {
  t.equal(envName('httpPort'), 'SP_HTTP_PORT');
  t.equal(envName('mqttUrl'), 'SP_MQTT_URL');
  t.equal(envName('dataDir'), 'SP_DATA_DIR');
});

t.test('defaults apply when nothing is given', async (t) => {
  const config = loadConfig(schema, { env: {} });
  t.same(config, { httpPort: 8080, dataDir: './data', debugWire: false, probeTargets: ['192.0.2.1', '192.0.2.2'] });
});

t.test('environment variables are converted to the type each key expects', async (t) => {
  const config = loadConfig(schema, {
    env: { SP_HTTP_PORT: '9090', SP_DEBUG_WIRE: 'true', SP_PROBE_TARGETS: '["a","b","c"]', SP_OTHER_PROGRAMS_VAR: 'x' },
  });
  t.equal(config.httpPort, 9090);
  t.equal(config.debugWire, true);
  t.same(config.probeTargets, ['a', 'b', 'c']);
});

t.test('the environment overrides the file, and command-line overrides both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-config-'));
  const file = join(dir, 'server.json');
  writeFileSync(file, JSON.stringify({ httpPort: 7000, dataDir: '/var/lib/sp' }));
  const fromFile = loadConfig(schema, { env: { SP_CONFIG: file } });
  t.equal(fromFile.httpPort, 7000);
  t.equal(fromFile.dataDir, '/var/lib/sp');
  const overridden = loadConfig(schema, { env: { SP_CONFIG: file, SP_HTTP_PORT: '7001' } });
  t.equal(overridden.httpPort, 7001, 'SP_HTTP_PORT wins over the file');
  t.equal(overridden.dataDir, '/var/lib/sp');
  const flagged = loadConfig(schema, { env: { SP_CONFIG: file, SP_HTTP_PORT: '7001' }, overrides: { httpPort: 7002 } });
  t.equal(flagged.httpPort, 7002, 'a command-line value wins over both');
});

t.test('bad values stop with a message naming each key, its source and what was expected', async (t) => {
  const error = errorOf(() =>
    loadConfig(schema, { env: { SP_HTTP_PORT: 'eighty', SP_DEBUG_WIRE: 'maybe', SP_MQTT_URL: 'not a url' } }),
  );
  t.equal(error.problems.length, 3, 'all three bad keys are reported at once');
  t.match(error.message, /httpPort \(from SP_HTTP_PORT\): Invalid input: expected number, received string; got "eighty"/);
  t.match(error.message, /debugWire \(from SP_DEBUG_WIRE\): Invalid input: expected boolean/);
  t.match(error.message, /mqttUrl \(from SP_MQTT_URL\): Invalid URL/);
  const range = errorOf(() => loadConfig(schema, { env: { SP_HTTP_PORT: '70000' } }));
  t.match(range.message, /httpPort \(from SP_HTTP_PORT\): Too big: expected number to be <=65535; got 70000/);
});

t.test('a secret is named but its value never printed', async (t) => {
  const error = errorOf(() => loadConfig(schema, { env: { SP_SIM_PIN: '12a4' } }));
  t.match(error.message, /simPin \(from SP_SIM_PIN\): expected 4 to 8 digits; got \(secret, not shown\)/);
  t.notMatch(error.message, /12a4/);
});

t.test('a file that is missing, not JSON, or has unknown keys is reported', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sp-config-'));
  const missing = errorOf(() => loadConfig(schema, { env: { SP_CONFIG: join(dir, 'nope.json') } }));
  t.match(missing.message, /SP_CONFIG \(from the environment\): a readable JSON file; got .*nope\.json \(ENOENT/);
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ "httpPort": 80,');
  t.match(errorOf(() => loadConfig(schema, { file: broken, env: {} })).message, /\(file\) \(from .*broken\.json\): valid JSON/);
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, JSON.stringify({ htpPort: 80 }));
  t.match(errorOf(() => loadConfig(schema, { file: typo, env: {} })).message, /htpPort \(from .*typo\.json\): a known setting/);
  const wrongType = join(dir, 'wrong.json');
  writeFileSync(wrongType, JSON.stringify({ httpPort: '80' }));
  t.match(errorOf(() => loadConfig(schema, { file: wrongType, env: {} })).message, /httpPort \(from .*wrong\.json\): Invalid input: expected number/);
});

t.test('a required key that nobody gave is reported as required', async (t) => {
  const needs = z.object({ devicePath: z.string() });
  t.match(errorOf(() => loadConfig(needs, { env: {} })).message, /devicePath \(from nowhere \(it is required\)\)/);
});
