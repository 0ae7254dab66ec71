// One MQTT login attempt against a real broker, for tests of who may connect.
import { connectNoDelay } from '../../../server/mqtt/tcp-client.js';

/** Tries to log in; resolves with the CONNACK refusal code (4 bad credentials, 5 not authorised), or 0 when accepted. */
export async function loginCode(url: string, options: { clientId: string; username: string; password: string }): Promise<number> {
  const client = connectNoDelay(url, { ...options, reconnectPeriod: 0 });
  try {
    return await new Promise<number>((resolve) => {
      client.once('connect', () => resolve(0));
      client.once('error', (error) => resolve((error as { code?: number }).code ?? -1));
    });
  } finally {
    client.end(true);
  }
}
