// The server's TLS material (issue 11), read once at start from the files its settings name:
// HTTPS for the API and pages, mqtts:// for the embedded broker, and the CA its own MQTT
// connection trusts. A missing or unreadable file stops start-up naming the setting.
import { readCertificateAndKey, readPemFile, type CertificateAndKey } from '../shared/tls.js';
import type { ServerConfig } from './config.js';

export interface ServerTls {
  readonly https: CertificateAndKey | undefined;
  /** The embedded broker's certificate; ignored with an external broker (mqttUrl). */
  readonly mqtt: CertificateAndKey | undefined;
  /** What the server's own MQTT client trusts: mqttCaFile, else the embedded broker's own certificate. */
  readonly mqttCa: Buffer | undefined;
}

export function readServerTls(config: ServerConfig): ServerTls {
  const https = readCertificateAndKey('httpsCertFile', config.httpsCertFile, 'httpsKeyFile', config.httpsKeyFile);
  const mqtt = config.mqttUrl ? undefined : readCertificateAndKey('mqttTlsCertFile', config.mqttTlsCertFile, 'mqttTlsKeyFile', config.mqttTlsKeyFile);
  const mqttCa = config.mqttCaFile ? readPemFile('mqttCaFile', config.mqttCaFile, 'a CA certificate') : mqtt?.cert;
  return { https, mqtt, mqttCa };
}
