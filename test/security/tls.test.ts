// TLS with configured certificates (issue 11, security): a throwaway CA and a server certificate
// for 127.0.0.1/localhost made in the test; the server serves HTTPS and its embedded broker
// mqtts:// with them; the real agent, given the CA, connects over mqtts:// and reports; a client
// without the CA, or speaking plain text, gets nowhere. Bad TLS settings stop start-up naming the key.
import { writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { get as httpsGet, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import t from 'tap';
import { ConfigError } from '../../shared/config.js';
import { systemClock } from '../../shared/clock.js';
import { loadAgentConfig } from '../../agent/config.js';
import { run as runServerCli } from '../../server/cli.js';
import { serverConfig } from '../../server/config.js';
import { connectNoDelay } from '../../server/mqtt/tcp-client.js';
import { readServerTls } from '../../server/tls.js';
import { testDatabase } from '../helpers/database.js';
import { tempDir } from '../agent/helpers/temp.js';
import { loginCode } from '../server/helpers/broker-login.js';
import { connectDevice } from '../server/helpers/device.js';
import { seed } from '../server/helpers/fixtures.js';
import { startTestServer } from '../server/helpers/server.js';
import { waitFor } from '../server/helpers/wait.js';
import { startAgentOnServer } from './helpers/agent-on-server.js';

/** A CA, and a certificate it signed for localhost and 127.0.0.1, as PEM files in `dir`. */
async function throwawayPki(dir: string): Promise<{ ca: string; cert: string; key: string; caPem: string }> {
  const ca = await generate([{ name: 'commonName', value: 'ServicePlus test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
  await writeFile(files.ca, ca.cert);
  await writeFile(files.cert, leaf.cert);
  await writeFile(files.key, leaf.private, { mode: 0o600 });
  return { ...files, caPem: ca.cert };
}

/** GET over HTTPS (or HTTP); resolves with the status, or the error's code. */
function fetchStatus(url: string, ca?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsGet(url, ca ? { ca } : {}, done) : httpGet(url, done);
    function done(response: import('node:http').IncomingMessage) {
      response.resume();
      resolve(response.statusCode ?? -1);
    }
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.setTimeout(5_000, () => request.destroy(new Error('timeout')));
  });
}

t.test('HTTPS and mqtts:// with configured certificates', async (t) => {
  const pki = await throwawayPki(await tempDir(t, 'sp-tls-'));
  const ts = await startTestServer(t, await testDatabase(t), {
    broker: 'embedded',
    clock: systemClock,
    config: { httpsCertFile: pki.cert, httpsKeyFile: pki.key, mqttTlsCertFile: pki.cert, mqttTlsKeyFile: pki.key, mqttCaFile: pki.ca },
  });
  t.match(ts.server.url, /^https:\/\/127\.0\.0\.1:\d+$/, 'the API is HTTPS');
  t.match(ts.server.mqttUrl, /^mqtts:\/\/127\.0\.0\.1:\d+$/, 'agents are handed an mqtts:// URL');

  t.test('a client that trusts the CA gets HTTPS; one that does not, or speaks plain HTTP, gets nothing', async (t) => {
    t.equal(await fetchStatus(`${ts.server.url}/healthz`, pki.caPem), 200);
    t.equal(await fetchStatus(`${ts.server.url.replace('127.0.0.1', 'localhost')}/healthz`, pki.caPem), 200, 'by name too');
    t.match(String(await fetchStatus(`${ts.server.url}/healthz`)), /SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|unable to (get|verify)/i, 'the certificate is checked');
    t.not(await fetchStatus(`${ts.server.url.replace('https:', 'http:')}/healthz`), 200, 'no plain HTTP on the port');
  });

  t.test('a customer logging in over HTTPS gets a Secure session cookie', async (t) => {
    const seeded = await seed(ts, { routerModel: null });
    const body = JSON.stringify({ login: seeded.login, password: seeded.password });
    const cookie = await new Promise<string>((resolve, reject) => {
      const request = httpsRequest(`${ts.server.url}/api/v1/sessions`, { method: 'POST', ca: pki.caPem, headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        resolve(String(response.headers['set-cookie'] ?? `no cookie (${response.statusCode})`));
      });
      request.on('error', reject);
      request.end(body);
    });
    t.match(cookie, /^sp_session=sps_[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
  });

  t.test('a device connects over mqtts:// with the CA; without it, or in plain text, it cannot', async (t) => {
    const seeded = await seed(ts);
    const credentials = seeded.device!;
    t.match(credentials.mqttUrl, /^mqtts:/);
    const device = await connectDevice(t, credentials, { ca: pki.caPem });
    t.match(await device.nextDesired((d) => d.seq === 1), { profile: 'baseline' }, 'its desired state arrives over TLS');
    const untrusted = await loginCode(credentials.mqttUrl, { clientId: 'fb-untrusted', username: credentials.deviceId, password: credentials.password });
    t.match(String(untrusted), /SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)/, `without the CA the certificate check fails (${untrusted})`);
    // Plain MQTT to the TLS port: the broker reads no TLS handshake and closes the socket.
    const plainClient = connectNoDelay(credentials.mqttUrl.replace('mqtts:', 'mqtt:'), { clientId: credentials.deviceId, username: credentials.deviceId, password: credentials.password, reconnectPeriod: 0 });
    const plain = await new Promise<string>((resolve) => {
      plainClient.once('connect', () => resolve('connected'));
      plainClient.once('error', (error) => resolve(`error ${error.message}`));
      plainClient.once('close', () => resolve('closed'));
    });
    plainClient.end(true);
    t.not(plain, 'connected', `plain MQTT on the TLS port is not accepted (${plain})`);
  });

  t.test('the real agent, given the CA, connects over mqtts:// and reports', async (t) => {
    const seeded = await seed(ts);
    const deviceId = seeded.device!.deviceId;
    await startAgentOnServer(t, seeded.device!, { settings: { mqttCaFile: pki.ca } });
    const view = await waitFor(async () => {
      const response = await ts.call('GET', `/api/v1/devices/${deviceId}`, { token: ts.tokens.noc });
      const body = response.json() as { online?: boolean; path?: string | null };
      return body.path ? body : undefined;
    }, 'the agent status over mqtts://', 30_000);
    t.equal(view.path, 'dsl', 'the agent reported its path over TLS');
  });
});

t.test('TLS settings that cannot work stop start-up, naming the setting', async (t) => {
  const dir = await tempDir(t, 'sp-tls-bad-');
  const pki = await throwawayPki(dir);
  const notPem = join(dir, 'not.pem');
  await writeFile(notPem, 'hello');
  const problem = (values: Parameters<typeof serverConfig>[0]) => {
    try {
      readServerTls(serverConfig(values));
      return null;
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };
  t.match(problem({ httpsCertFile: pki.cert }), [{ key: 'httpsKeyFile', expected: /set together with httpsCertFile/ }]);
  t.match(problem({ mqttTlsKeyFile: pki.key }), [{ key: 'mqttTlsCertFile' }]);
  t.match(problem({ httpsCertFile: join(dir, 'missing.pem'), httpsKeyFile: pki.key }), [{ key: 'httpsCertFile', got: /ENOENT/ }]);
  t.match(problem({ mqttCaFile: notPem }), [{ key: 'mqttCaFile', expected: /PEM/ }]);
  t.equal(problem({ httpsCertFile: pki.cert, httpsKeyFile: pki.key }), null, 'a good pair is taken');
  t.equal(problem({}), null, 'no TLS is fine (plain HTTP behind a proxy)');
  // `serviceplus server` says so and exits 2 (bad settings), before it opens anything.
  let stderr = '';
  const code = await runServerCli([], { env: { SP_LOG_LEVEL: 'silent', SP_DATA_DIR: dir, SP_HTTPS_CERT_FILE: join(dir, 'missing.pem'), SP_HTTPS_KEY_FILE: pki.key }, out: () => {}, err: (text) => (stderr += text) });
  t.equal(code, 2, 'the server command exits 2');
  t.match(stderr, /httpsCertFile/);
  t.match(
    loadAgentConfig({ env: {}, overrides: { routerPassword: 'x', devicePath: '/dev/ttyUSB0', deviceId: 'fb-x', mqttUrl: 'mqtts://broker:8883', deviceSecret: 'secret-secret', mqttCaFile: pki.ca } }).mqttCaFile,
    pki.ca,
    'the agent takes mqttCaFile',
  );
});
