// A lean JSON client for benchmarks that time the server, not the client: node:http over kept-alive
// sockets with TCP_NODELAY. fetch (undici) costs about 0.7 ms more per request in the process
// that also runs the server (bench/boost.ts measured it), which is the client's cost, not the
// control plane's.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
}

export function postJson(url: string, token: string, body: unknown): Promise<JsonAnswer> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('socket', (socket) => socket.setNoDelay(true));
    req.on('error', reject);
    req.end(payload);
  });
}
