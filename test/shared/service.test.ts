import t from 'tap';
import { topicFor, parseTopic, deviceTopicFilter, allDevicesFilter, TOPIC_KINDS, TOPIC_SPECS } from '../../shared/contract/index.js';
import { FAIR_USE_CAP_BYTES, PROFILES, SELF_SERVICE_BOOSTS_PER_MONTH, BOOST_DURATION_MS, supportedModel } from '../../shared/service.js';

t.test('R1: the four supported FRITZ!Box models are recognised by their TR-064 names', async (t) => {
  t.equal(supportedModel('FRITZ!Box 7490'), '7490');
  t.equal(supportedModel('FRITZ!Box 7390'), '7390');
  t.equal(supportedModel('FRITZ!Box Fon WLAN 7390'), '7390', 'older long names');
  t.equal(supportedModel('  FRITZ!Box 7360 '), '7360');
  t.equal(supportedModel('FRITZ!Box 7340'), '7340');
  t.equal(supportedModel('FRITZ!Box 7590'), null, 'a newer box is not supported');
  t.equal(supportedModel('FRITZ!Box 7490 7590'), null, 'an ambiguous name is not accepted');
  t.equal(supportedModel('Speedport W 724V'), null, 'another vendor is not supported');
  t.equal(supportedModel('TP-Link 7490'), null);
});

t.test('R3, R4, R5, R7, R9: the service figures', async (t) => {
  t.same(PROFILES.baseline, { downKbps: 128, upKbps: 64 });
  t.same(PROFILES.boost, { downKbps: 3600, upKbps: 1400 });
  t.equal(BOOST_DURATION_MS, 86_400_000);
  t.equal(SELF_SERVICE_BOOSTS_PER_MONTH, 2);
  t.equal(FAIR_USE_CAP_BYTES, 5_000_000_000, '5 GB in decimal bytes');
});

t.test('topics: builders and the parser agree; anything off-contract is null', async (t) => {
  for (const kind of TOPIC_KINDS) {
    t.same(parseTopic(topicFor(kind, 'dev-1')), { deviceId: 'dev-1', kind });
  }
  t.equal(deviceTopicFilter('dev-1'), 'sp/v1/devices/dev-1/#');
  t.equal(allDevicesFilter('usage'), 'sp/v1/devices/+/usage');
  t.equal(parseTopic('sp/v1/devices/+/usage'), null, 'a wildcard is not a device');
  t.equal(parseTopic('sp/v1/devices/dev-1/usage/extra'), null);
  t.equal(parseTopic('sp/v1/devices/dev-1/firmware'), null, 'an unknown kind');
  t.equal(parseTopic('sp/v2/devices/dev-1/usage'), null, 'another version');
  t.equal(TOPIC_SPECS.desired.direction, 'down');
  t.equal(TOPIC_SPECS.desired.retain, true);
  t.equal(TOPIC_SPECS.events.retain, false);
});
