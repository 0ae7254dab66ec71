// The simulated FRITZ!Box over real HTTP: description documents, digest authentication, SOAP
// actions with the real service types and argument names, faults, and the DSL line scenarios.
import t, { type Test } from 'tap';
import { TestClock } from '../../shared/clock.js';
import { digestAuthorization, envelope, field, httpRequest, parseChallenge, SERVICES, soap } from './helpers/tr064-client.js';
import { simulator } from './helpers/sim.js';
import type { Simulator } from '../../firmware-sim/index.js';

const USER = 'admin';
const PASSWORD = 'correct horse';

async function box(t: Test, options: { firmware?: string; clock?: TestClock } = {}): Promise<Simulator> {
  return simulator(t, { stick: false, clock: options.clock, router: { username: USER, password: PASSWORD, firmware: options.firmware } });
}

function call(sim: Simulator, service: keyof typeof SERVICES, action: string, credentials: { user: string; password: string } | null = { user: USER, password: PASSWORD }) {
  return soap({ baseUrl: sim.router!.url, ...SERVICES[service], action, credentials });
}

t.test('/tr64desc.xml lists the TR-064 services with their control URLs, without auth', async (t) => {
  const sim = await box(t);
  const res = await httpRequest(`${sim.router!.url}/tr64desc.xml`);
  t.equal(res.status, 200);
  t.match(res.headers['content-type'], /^text\/xml/);
  for (const s of ['deviceInfo', 'wanCommon', 'wanDsl', 'wanPpp'] as const) {
    t.match(res.body, `<serviceType>${SERVICES[s].serviceType}</serviceType>`);
    t.match(res.body, `<controlURL>${SERVICES[s].controlUrl}</controlURL>`);
  }
  t.match(res.body, '<root xmlns="urn:dslforum-org:device-1-0">');
  t.match(res.body, '<modelName>FRITZ!Box 7490</modelName>');
  t.match(res.body, '<Display>113.07.29</Display>');
  t.match(res.body, '<deviceType>urn:dslforum-org:device:WANConnectionDevice:1</deviceType>');
});

t.test('each service has an SCPD naming its actions and arguments', async (t) => {
  const sim = await box(t);
  const res = await httpRequest(`${sim.router!.url}/deviceinfoSCPD.xml`);
  t.equal(res.status, 200);
  t.match(res.body, /<name>GetInfo<\/name>/);
  t.match(res.body, /<name>NewModelName<\/name><direction>out<\/direction>/);
  const ppp = await httpRequest(`${sim.router!.url}/wanpppconnSCPD.xml`);
  t.match(ppp.body, /<name>GetStatusInfo<\/name>[\s\S]*<name>NewConnectionStatus<\/name>/);
});

t.test('the IGD description and GetAddonInfos need no password', async (t) => {
  const sim = await box(t);
  const desc = await httpRequest(`${sim.router!.url}/igddesc.xml`);
  t.equal(desc.status, 200);
  t.match(desc.body, '<controlURL>/igdupnp/control/WANCommonIFC1</controlURL>');
  sim.router!.addWanTraffic({ sent: 2 ** 32 + 5, received: 123 });
  const res = await call(sim, 'igdCommon', 'GetAddonInfos', null);
  t.equal(res.status, 200);
  t.equal(field(res.body, 'NewX_AVM_DE_TotalBytesSent64'), '4294967301');
  t.equal(field(res.body, 'NewTotalBytesSent'), '5', 'the 32-bit field wraps');
  t.equal(field(res.body, 'NewX_AVM_DE_TotalBytesReceived64'), '123');
});

t.test('digest auth: no credentials or wrong ones get 401 with a challenge; right ones get the answer', async (t) => {
  const sim = await box(t);
  const bare = await call(sim, 'deviceInfo', 'GetInfo', null);
  t.equal(bare.status, 401);
  const challenge = parseChallenge(String(bare.headers['www-authenticate']));
  t.equal(challenge['realm'], 'F!Box SOAP-Auth');
  t.equal(challenge['qop'], 'auth');
  t.equal(challenge['algorithm'], 'MD5');
  t.match(challenge['nonce'], /^[0-9a-f]{20,}$/);
  t.equal((await call(sim, 'deviceInfo', 'GetInfo', { user: USER, password: 'wrong' })).status, 401, 'wrong password');
  t.equal((await call(sim, 'deviceInfo', 'GetInfo', { user: 'guest', password: PASSWORD })).status, 401, 'wrong user');
  t.equal((await call(sim, 'deviceInfo', 'GetInfo', { user: '', password: PASSWORD })).status, 401, 'FRITZ!OS 7.24+ wants a user name');
  const ok = await call(sim, 'deviceInfo', 'GetInfo');
  t.equal(ok.status, 200);
  t.match(ok.headers['content-type'], /^text\/xml; charset="utf-8"/);
  t.match(ok.body, /<u:GetInfoResponse xmlns:u="urn:dslforum-org:service:DeviceInfo:1">/);
  t.equal(field(ok.body, 'NewModelName'), 'FRITZ!Box 7490');
  t.equal(field(ok.body, 'NewSoftwareVersion'), '113.07.29');
  t.equal(field(ok.body, 'NewManufacturerName'), 'AVM');
  t.match(field(ok.body, 'NewSerialNumber'), /^[0-9A-F]{12}$/);
  t.match(field(ok.body, 'NewUpTime'), /^\d+$/);
  t.type(field(ok.body, 'NewDeviceLog'), 'string');
});

t.test('a digest made for another URI is refused', async (t) => {
  const sim = await box(t);
  const { controlUrl, serviceType } = SERVICES.deviceInfo;
  const first = await call(sim, 'deviceInfo', 'GetInfo', null);
  const challenge = parseChallenge(String(first.headers['www-authenticate']));
  const authorization = digestAuthorization(challenge, USER, PASSWORD, 'POST', '/upnp/control/wanpppconn1');
  const res = await httpRequest(`${sim.router!.url}${controlUrl}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset="utf-8"', SOAPACTION: `${serviceType}#GetInfo`, Authorization: authorization },
    body: envelope(serviceType, 'GetInfo'),
  });
  t.equal(res.status, 401);
});

t.test('an old nonce is refused as stale, and a fresh one works', async (t) => {
  const clock = new TestClock();
  const sim = await box(t, { clock });
  const { controlUrl, serviceType } = SERVICES.deviceInfo;
  const first = await call(sim, 'deviceInfo', 'GetInfo', null);
  const challenge = parseChallenge(String(first.headers['www-authenticate']));
  clock.advance(6 * 60_000);
  const headers = { 'Content-Type': 'text/xml; charset="utf-8"', SOAPACTION: `${serviceType}#GetInfo`, Authorization: digestAuthorization(challenge, USER, PASSWORD, 'POST', controlUrl) };
  const stale = await httpRequest(`${sim.router!.url}${controlUrl}`, { method: 'POST', headers, body: envelope(serviceType, 'GetInfo') });
  t.equal(stale.status, 401);
  t.match(String(stale.headers['www-authenticate']), /stale=TRUE/);
  t.equal((await call(sim, 'deviceInfo', 'GetInfo')).status, 200);
});

t.test('FRITZ!OS before 7.24 accepts an empty user name with the password', async (t) => {
  const sim = await simulator(t, { stick: false, router: { model: 'FRITZ!Box 7390', firmware: '84.06.85', username: 'dslf-config', password: PASSWORD } });
  const res = await soap({ baseUrl: sim.router!.url, ...SERVICES.deviceInfo, action: 'GetInfo', credentials: { user: '', password: PASSWORD } });
  t.equal(res.status, 200);
  t.equal(field(res.body, 'NewModelName'), 'FRITZ!Box 7390');
  t.equal((await soap({ baseUrl: sim.router!.url, ...SERVICES.deviceInfo, action: 'GetInfo', credentials: { user: '', password: 'nope' } })).status, 401);
});

t.test('an unknown action gets HTTP 500 with a UPnPError 401 fault, like the box', async (t) => {
  const sim = await box(t);
  const res = await call(sim, 'deviceInfo', 'X_Reboot');
  t.equal(res.status, 500);
  t.match(res.body, /<s:Fault>/);
  t.equal(field(res.body, 'faultcode'), 's:Client');
  t.equal(field(res.body, 'faultstring'), 'UPnPError');
  t.match(res.body, /<UPnPError xmlns="urn:schemas-upnp-org:control-1-0">/);
  t.equal(field(res.body, 'errorCode'), '401');
  t.equal(field(res.body, 'errorDescription'), 'Invalid Action');
  const wrongService = await soap({ baseUrl: sim.router!.url, controlUrl: SERVICES.deviceInfo.controlUrl, serviceType: SERVICES.wanPpp.serviceType, action: 'GetStatusInfo', credentials: { user: USER, password: PASSWORD } });
  t.equal(field(wrongService.body, 'errorCode'), '401', 'another service\'s action at this control URL');
});

t.test('a malformed SOAP body gets a 402 fault; an unknown path 404', async (t) => {
  const sim = await box(t);
  const res = await soap({ baseUrl: sim.router!.url, ...SERVICES.deviceInfo, action: 'GetInfo', credentials: { user: USER, password: PASSWORD }, body: '<s:Envelope><oops' });
  t.equal(res.status, 500);
  t.equal(field(res.body, 'errorCode'), '402');
  t.equal((await httpRequest(`${sim.router!.url}/upnp/control/nothing`, { method: 'POST', body: '' })).status, 404);
  t.equal((await httpRequest(`${sim.router!.url}/nope.xml`)).status, 404);
});

t.test('values with whitespace and a body without the SOAPACTION header still work', async (t) => {
  const sim = await box(t);
  const { controlUrl, serviceType } = SERVICES.wanDsl;
  const body = `<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">\n  <s:Body>\n    <u:GetInfo xmlns:u="${serviceType}">\n    </u:GetInfo>\n  </s:Body>\n</s:Envelope>`;
  const first = await httpRequest(`${sim.router!.url}${controlUrl}`, { method: 'POST', body });
  const auth = digestAuthorization(parseChallenge(String(first.headers['www-authenticate'])), USER, PASSWORD, 'POST', controlUrl);
  const res = await httpRequest(`${sim.router!.url}${controlUrl}`, { method: 'POST', body, headers: { Authorization: auth } });
  t.equal(res.status, 200);
  t.equal(field(res.body, 'NewStatus'), 'Up');
});

t.test('the DSL line: up, down, training, no-internet as TR-064 reports them', async (t) => {
  const clock = new TestClock();
  const sim = await box(t, { clock });
  const router = sim.router!;
  const read = async () => {
    const link = await call(sim, 'wanCommon', 'GetCommonLinkProperties');
    const dsl = await call(sim, 'wanDsl', 'GetInfo');
    const ppp = await call(sim, 'wanPpp', 'GetStatusInfo');
    return {
      access: field(link.body, 'NewWANAccessType'),
      physical: field(link.body, 'NewPhysicalLinkStatus'),
      l1Down: field(link.body, 'NewLayer1DownstreamMaxBitRate'),
      l1Up: field(link.body, 'NewLayer1UpstreamMaxBitRate'),
      dsl: field(dsl.body, 'NewStatus'),
      down: field(dsl.body, 'NewDownstreamCurrRate'),
      up: field(dsl.body, 'NewUpstreamCurrRate'),
      ppp: field(ppp.body, 'NewConnectionStatus'),
      error: field(ppp.body, 'NewLastConnectionError'),
      uptime: field(ppp.body, 'NewUptime'),
    };
  };
  clock.advance(90_000);
  t.same(await read(), { access: 'DSL', physical: 'Up', l1Down: '50000000', l1Up: '10000000', dsl: 'Up', down: '50000', up: '10000', ppp: 'Connected', error: 'ERROR_NONE', uptime: '90' });
  router.setLine('down');
  t.same(await read(), { access: 'DSL', physical: 'Down', l1Down: '0', l1Up: '0', dsl: 'NoSignal', down: '0', up: '0', ppp: 'Disconnected', error: 'ERROR_NO_CARRIER', uptime: '0' });
  router.setLine('training');
  t.match(await read(), { physical: 'Initializing', dsl: 'Initializing', ppp: 'Disconnected', down: '0' });
  router.setLine('no-internet');
  t.match(await read(), { physical: 'Up', dsl: 'Up', down: '50000', ppp: 'Connecting', error: 'ERROR_ISP_TIME_OUT', uptime: '0' });
  router.setLine('up');
  clock.advance(5_000);
  t.match(await read(), { physical: 'Up', ppp: 'Connected', uptime: '5' }, 'PPP uptime starts again');
  t.equal(router.line().state, 'up');
});

t.test('a flapping line goes down and up with the given period until set', async (t) => {
  const clock = new TestClock();
  const sim = await box(t, { clock });
  const router = sim.router!;
  const physical = async (): Promise<string | undefined> => field((await call(sim, 'wanCommon', 'GetCommonLinkProperties')).body, 'NewPhysicalLinkStatus');
  router.flap(10_000);
  t.equal(router.line().flappingPeriodMs, 10_000);
  t.equal(await physical(), 'Down');
  clock.advance(5_000);
  t.equal(await physical(), 'Up');
  clock.advance(5_000);
  t.equal(await physical(), 'Down');
  clock.advance(5_000);
  t.equal(await physical(), 'Up');
  router.setLine('down');
  clock.advance(20_000);
  t.equal(await physical(), 'Down', 'setLine stops the flapping');
  t.equal(router.line().flappingPeriodMs, null);
});

t.test('WAN byte counters are 32-bit and wrap at 4 GiB', async (t) => {
  const sim = await box(t);
  sim.router!.addWanTraffic({ sent: 1000, received: 2 ** 32 + 77 });
  t.equal(field((await call(sim, 'wanCommon', 'GetTotalBytesSent')).body, 'NewTotalBytesSent'), '1000');
  t.equal(field((await call(sim, 'wanCommon', 'GetTotalBytesReceived')).body, 'NewTotalBytesReceived'), '77');
});

t.test('an unreachable box: "timeout" never answers, the request dies when it comes back', async (t) => {
  const sim = await box(t);
  const router = sim.router!;
  await router.setReachable(false);
  const pending = call(sim, 'deviceInfo', 'GetInfo', null).then(
    () => 'answered',
    (error: Error) => error.message,
  );
  await waitFor(() => router.requests().some((r) => r.status === 0), 'the request to arrive');
  await router.setReachable(true);
  t.match(await pending, /socket hang up|ECONNRESET/, 'no answer ever came');
  t.equal((await call(sim, 'deviceInfo', 'GetInfo')).status, 200, 'answers again');
});

t.test('an unreachable box: "refused" closes the port until it is back', async (t) => {
  const sim = await box(t);
  const router = sim.router!;
  await router.setReachable(false, 'refused');
  await t.rejects(call(sim, 'deviceInfo', 'GetInfo'), { code: 'ECONNREFUSED' });
  await router.setReachable(true);
  t.equal((await call(sim, 'deviceInfo', 'GetInfo')).status, 200, 'same URL, answering again');
});

t.test('a slow box answers after the configured delay', async (t) => {
  const clock = new TestClock();
  const sim = await box(t, { clock });
  const router = sim.router!;
  router.setAnswerDelay(3_000);
  const pending = httpRequest(`${router.url}/tr64desc.xml`);
  await waitFor(() => router.requests().length === 1, 'the request to arrive');
  t.equal(router.requests()[0]!.status, 0, 'not answered yet');
  clock.advance(3_000);
  t.equal((await pending).status, 200);
  t.equal(router.requests()[0]!.status, 200);
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
