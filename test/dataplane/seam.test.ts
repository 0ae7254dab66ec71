// The agent's side of the data-plane seam, on any machine: what the mobile uplink is shaped to
// (nothing on DSL; the profile, or less as negotiated, on mobile), and the failback order (the
// stick hangs up only once the route has left mobile; a session wanted again cancels it), and
// the setting that keeps the probes on DSL.
import t from 'tap';
import { hangUpAfterRoute, shapingTarget } from '../../agent/dataplane/index.js';
import { loadAgentConfig } from '../../agent/config.js';
import { ConfigError } from '../../shared/config.js';
import { PROFILES } from '../../shared/service.js';
import { FakeModem } from '../agent/helpers/fake-modem.js';

t.test('shaping target: cleared off mobile; the profile, capped by what the network granted', async (t) => {
  t.equal(shapingTarget('dsl', PROFILES.boost, null), null, 'on DSL: no shaping (cleared on failback)');
  t.equal(shapingTarget('none', PROFILES.baseline, { downKbps: 128, upKbps: 64 }), null, 'no path: none');
  t.same(shapingTarget('mobile', PROFILES.baseline, null), PROFILES.baseline, 'failover, session not up yet: the profile');
  t.same(shapingTarget('mobile', PROFILES.boost, { downKbps: 3584, upKbps: 1408 }), { downKbps: 3584, upKbps: 1400 }, 'a grid step below is taken, never above the profile (R4)');
  t.same(shapingTarget('mobile', PROFILES.boost, { downKbps: 7200, upKbps: 5760 }), PROFILES.boost, 'a network that grants more: the profile');
  t.same(shapingTarget('mobile', PROFILES.boost, { downKbps: 384, upKbps: 64 }), { downKbps: 384, upKbps: 64 }, 'a weak cell: what it grants');
  t.same(shapingTarget('mobile', PROFILES.baseline, { downKbps: 0, upKbps: 0 }), PROFILES.baseline, 'nonsense from the stick: the profile');
});

t.test('the stick hangs up only after the route has moved; wanting a session again cancels it', async (t) => {
  const modem = new FakeModem();
  let release!: () => void;
  let routed: Promise<unknown> = Promise.resolve();
  const gated = hangUpAfterRoute(modem, () => routed);

  gated.setSessionWanted(true);
  t.same(modem.callsOf('setSessionWanted'), [true], 'a session is asked for at once');

  gated.setSessionWanted(false);
  routed = new Promise<void>((resolve) => (release = resolve)); // the failback's route change, reported after the hang-up
  await new Promise((resolve) => setImmediate(resolve));
  t.same(modem.callsOf('setSessionWanted'), [true], 'no hang-up while the route still points at mobile');
  release();
  await new Promise((resolve) => setImmediate(resolve));
  t.same(modem.callsOf('setSessionWanted'), [true, false], 'hung up once the route moved');

  routed = new Promise<void>((resolve) => (release = resolve));
  gated.setSessionWanted(false);
  gated.setSessionWanted(true);
  release();
  await new Promise((resolve) => setImmediate(resolve));
  t.same(modem.callsOf('setSessionWanted'), [true, false, true], 'a failover before the hang-up: no hang-up');

  routed = Promise.reject(new Error('ip failed'));
  gated.setSessionWanted(false);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(modem.callsOf('setSessionWanted'), [true, false, true, false], 'a route change that failed does not keep the session up');
  t.equal(gated.snapshot(), modem.snapshot(), 'everything else is the modem itself');
});

t.test('the agent with a data plane needs its DSL-side probe address (else probes would go out over mobile)', async (t) => {
  const env = {
    SP_ROUTER_PASSWORD: 'box-password',
    SP_DEVICE_PATH: '/dev/ttyUSB0',
    SP_DEVICE_ID: 'cpe-0042',
    SP_MQTT_URL: 'mqtt://broker.example.net:1883',
    SP_DEVICE_SECRET: 's3cret-s3cret',
    SP_DATA_PLANE: JSON.stringify({ dsl: { device: 'eth0', gateway: '192.168.178.1' }, mobile: { device: 'wwan0', gateway: null } }),
  };
  const error = (() => {
    try {
      loadAgentConfig({ env });
      return null;
    } catch (e) {
      return e;
    }
  })();
  t.ok(error instanceof ConfigError, 'refused');
  t.match((error as ConfigError).message, /probeBindAddress/, 'naming probeBindAddress');
  t.throws(() => loadAgentConfig({ env: { ...env, SP_PROBE_BIND_ADDRESS: '2001:db8::2' } }), ConfigError, 'an IPv6 address does not do (the data plane is IPv4)');
  t.equal(loadAgentConfig({ env: { ...env, SP_PROBE_BIND_ADDRESS: '192.168.178.2' } }).dataPlane?.dsl.source, null, 'with it, accepted (the agent derives the source from it)');
  t.doesNotThrow(() => loadAgentConfig({ env: { SP_ROUTER_PASSWORD: 'x', SP_DEVICE_PATH: '/dev/ttyUSB0', SP_DEVICE_ID: 'cpe-1', SP_MQTT_URL: 'mqtt://b:1883', SP_DEVICE_SECRET: 's3cret-s3cret' } }), 'without a data plane it is optional');
});
