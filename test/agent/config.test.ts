// The agent's settings: defaults, SP_* variables, and clear refusals naming the key.
import t from 'tap';
import { ConfigError } from '../../shared/config.js';
import { loadAgentConfig } from '../../agent/config.js';

const required = {
  SP_ROUTER_PASSWORD: 'box-password',
  SP_DEVICE_PATH: '/dev/ttyUSB0',
  SP_DEVICE_ID: 'cpe-0042',
  SP_MQTT_URL: 'mqtt://broker.example.net:1883',
  SP_DEVICE_SECRET: 's3cret-s3cret',
};

t.test('the decided defaults', async (t) => {
  const config = loadAgentConfig({ env: required });
  t.match(config, {
    routerUrl: 'http://192.168.178.1:49000',
    dataDir: './data',
    failbackStableMs: 30_000,
    confirmDownMs: 600,
    linePollMs: 250,
    fairUseCapBytes: 5_000_000_000,
    fairUseHoldBaseline: true,
    meterPersistIntervalMs: 60_000,
  });
  t.same(config.probeTargets, [
    { host: '1.1.1.1', port: 443 },
    { host: '8.8.8.8', port: 443 },
    { host: '9.9.9.9', port: 443 },
  ]);
});

t.test('SP_* variables, numbers and JSON arrays included', async (t) => {
  const config = loadAgentConfig({
    env: { ...required, SP_DATA_DIR: '/var/lib/serviceplus', SP_FAILBACK_STABLE_MS: '5000', SP_PROBE_TARGETS: '["127.0.0.1:8443","[::1]:443"]', SP_PROBE_QUORUM: '1', SP_SIM_PIN: '1234' },
  });
  t.equal(config.dataDir, '/var/lib/serviceplus');
  t.equal(config.failbackStableMs, 5_000);
  t.same(config.probeTargets, [{ host: '127.0.0.1', port: 8443 }, { host: '::1', port: 443 }]);
  t.equal(config.simPin, '1234');
});

t.test('bad values are refused naming the key and its source; secrets are not echoed', async (t) => {
  const error = (() => {
    try {
      loadAgentConfig({ env: { ...required, SP_MQTT_URL: 'http://x', SP_SIM_PIN: '12a4', SP_DEVICE_ID: 'a/b', SP_PROBE_QUORUM: '5' } });
    } catch (e) {
      return e;
    }
    return null;
  })();
  t.ok(error instanceof ConfigError);
  const text = String((error as Error).message);
  t.match(text, /mqttUrl \(from SP_MQTT_URL\)/);
  t.match(text, /simPin \(from SP_SIM_PIN\).*\(secret, not shown\)/);
  t.notMatch(text, /12a4/);
  t.match(text, /deviceId \(from SP_DEVICE_ID\)/);
  t.throws(() => loadAgentConfig({ env: {} }), ConfigError, 'required settings missing');
});
