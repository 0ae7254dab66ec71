// An mqtt.js client whose TCP socket has TCP_NODELAY set before the first packet: mqtt.js does
// not set it, and Nagle's algorithm adds about 40 ms to each QoS 1 exchange on a connection that
// both publishes and acknowledges.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MqttClient, type IClientOptions } from 'mqtt';
import { tlsClientOptions } from '../../shared/tls.js';

export function connectNoDelay(url: string, options: IClientOptions = {}): MqttClient {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'mqtts:';
  if (!secure && parsed.protocol !== 'mqtt:') throw new TypeError(`unsupported broker URL ${url} (mqtt:// or mqtts://)`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(parsed.port || (secure ? 8883 : 1883));
  const builder = () => {
    // `ca` (a private CA's certificate) is the one TLS option taken from the client options.
    const socket = secure ? tlsConnect(tlsClientOptions(host, port, options.ca)) : netConnect({ host, port });
    socket.setNoDelay(true);
    return socket;
  };
  return new MqttClient(builder, {
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...options,
  });
}
