// The demo's command line: defaults that give way when busy, ports asked for that do not, and
// bad values named by their flag.
import t from 'tap';
import { parseDemoArgs, UsageError } from '../../demo/options.js';

t.test('defaults', async (t) => {
  t.same(parseDemoArgs([], {}), {
    httpPort: null,
    mqttPort: null,
    host: '127.0.0.1',
    dataDir: './data/demo',
    latencyScale: 1,
    boostSeconds: 15,
    failbackSeconds: 5,
    logLevel: 'info',
  });
});

t.test('flags and SP_* variables', async (t) => {
  const options = parseDemoArgs(['--scenario', 'outage', '--http-port', '0', '--boost-seconds', '20'], { SP_MQTT_PORT: '18830', SP_DATA_DIR: '/var/tmp/sp', SP_LOG_LEVEL: 'warn' });
  t.match(options, { scenario: 'outage', httpPort: 0, mqttPort: 18830, dataDir: '/var/tmp/sp/demo', boostSeconds: 20, logLevel: 'warn' });
  t.equal(parseDemoArgs(['--mqtt-port', '1884'], { SP_MQTT_PORT: '18830' }).mqttPort, 1884, 'the flag wins');
  t.equal(parseDemoArgs([], { SP_HTTP_PORT: '' }).httpPort, null, 'an empty variable is unset');
});

t.test('bad values are named', async (t) => {
  t.throws(() => parseDemoArgs(['--scenario', 'flood'], {}), UsageError);
  t.throws(() => parseDemoArgs(['--scenario', 'flood'], {}), /--scenario/);
  t.throws(() => parseDemoArgs(['--http-port', '99999'], {}), /--http-port \/ SP_HTTP_PORT/);
  t.throws(() => parseDemoArgs([], { SP_MQTT_PORT: 'one' }), /--mqtt-port \/ SP_MQTT_PORT/);
  t.throws(() => parseDemoArgs(['--boost-seconds', '1'], {}), /--boost-seconds/);
  t.throws(() => parseDemoArgs(['--nonsense'], {}), /Unknown option '--nonsense'/);
  t.throws(() => parseDemoArgs(['extra'], {}), UsageError);
});
