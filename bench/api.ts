// API: requests per second on the device status route (GET /api/v1/devices/:deviceId, an
// operator's view of one router with its 20 most recent events) of the real server, as shipped
// and with its answer cache off, against a bare Fastify route that returns the same JSON from
// memory, each in a process of its own and loaded by autocannon from this process, alternately,
// in the same run. Goal: at least 50 %.
import { fork } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { connectAsync } from 'mqtt';
import { encodeMessage, topicFor } from '../shared/contract/index.js';
import { sampleEvent, sampleStatus, sampleUsage } from './lib/messages.js';
import { childExecArgv, stopChild } from './lib/proc.js';
import { startServerProcess } from './lib/server-process.js';
import { sleep } from './lib/stats.js';
import type { Benchmark } from './lib/types.js';

interface Bench {
  readonly rps: number[];
  readonly p99: number[];
  errors: number;
}

async function json(url: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function startBare(bodyFile: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = fork(new URL('./lib/bare-fastify-child.ts', import.meta.url).pathname, [bodyFile], { execArgv: childExecArgv(), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
    child.on('message', (m: { port?: number }) => m.port && resolve(m.port));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

interface Prepared {
  readonly server: Awaited<ReturnType<typeof startServerProcess>>;
  readonly routeUrl: string;
  readonly body: { recentEvents?: unknown[] };
}

/** A server process with one subscription whose router has reported a status, usage and 20 events. */
async function prepareServer(dataDir: string, env: Record<string, string>): Promise<Prepared> {
  const server = await startServerProcess({ dataDir, env });
  try {
    const created = (await json(`${server.url}/api/v1/subscriptions`, server.token, {
      method: 'POST',
      body: { reference: 'BENCH-API', customer: { name: 'Bench Customer', login: 'bench.api', password: 'bench-password-1', email: 'bench@example.org' } },
    })) as { subscription: { id: string } };
    const enrolled = (await json(`${server.url}/api/v1/subscriptions/${created.subscription.id}/devices`, server.token, {
      method: 'POST',
      body: { model: 'FRITZ!Box 7490', deviceId: 'bench-api-device' },
    })) as { credentials: { deviceId: string; password: string } };
    const { deviceId, password } = enrolled.credentials;
    const device = await connectAsync(server.mqttUrl, { clientId: deviceId, username: deviceId, password, protocolVersion: 4 });
    const now = Date.now();
    await device.publishAsync(topicFor('status', deviceId), encodeMessage('status', sampleStatus(now)), { qos: 1, retain: true });
    await device.publishAsync(topicFor('usage', deviceId), encodeMessage('usage', sampleUsage(now, 1)), { qos: 1 });
    for (let i = 0; i < 20; i++) await device.publishAsync(topicFor('events', deviceId), encodeMessage('events', sampleEvent(now - i * 60_000, `evt-${i}`)), { qos: 1 });
    await device.endAsync();
    const routeUrl = `${server.url}/api/v1/devices/${deviceId}`;
    let body: { recentEvents?: unknown[]; status?: unknown } = {};
    for (let i = 0; i < 100 && (body.recentEvents?.length ?? 0) < 20; i++) {
      await sleep(100);
      body = (await json(routeUrl, server.token)) as typeof body;
    }
    if ((body.recentEvents?.length ?? 0) < 20) throw new Error('the device never showed its 20 events');
    return { server, routeUrl, body };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

type Which = 'bare' | 'cached' | 'uncached';

export const apiBenchmark: Benchmark = {
  name: 'api',
  title: 'HTTP API: device status route vs a bare Fastify route with the same JSON',
  async run(ctx) {
    const servers: Prepared[] = [];
    let bare: Awaited<ReturnType<typeof startBare>> | null = null;
    try {
      // The server as shipped (the route's answers cached for 1 s, dropped on every change) and
      // the same with the cache off (SP_STATUS_CACHE_MS=0: every answer read from the store).
      const cached = await prepareServer(join(ctx.workDir, 'server'), {});
      servers.push(cached);
      const uncached = await prepareServer(join(ctx.workDir, 'server-no-cache'), { SP_STATUS_CACHE_MS: '0' });
      servers.push(uncached);
      const bodyFile = join(ctx.workDir, 'device.json');
      await writeFile(bodyFile, JSON.stringify(cached.body));
      bare = await startBare(bodyFile);
      const urls: Record<Which, { url: string; token: string }> = {
        bare: { url: `${bare.url}${new URL(cached.routeUrl).pathname}`, token: cached.server.token },
        cached: { url: cached.routeUrl, token: cached.server.token },
        uncached: { url: uncached.routeUrl, token: uncached.server.token },
      };

      const rounds = ctx.quick ? 1 : 3;
      const duration = ctx.quick ? 3 : 10;
      const connections = 10;
      const results: Record<Which, Bench> = { bare: { rps: [], p99: [], errors: 0 }, cached: { rps: [], p99: [], errors: 0 }, uncached: { rps: [], p99: [], errors: 0 } };
      const order: Which[] = ['bare', 'cached', 'uncached'];
      // Warm each (JIT, caches), then alternate so that drift in machine load hits all alike.
      const warmUp = ctx.quick ? 1 : 2;
      for (const which of order) await autocannon({ url: urls[which].url, connections, duration: warmUp, headers: { authorization: `Bearer ${urls[which].token}` } });
      for (let round = 0; round < rounds; round++) {
        for (const which of order) {
          const result = await autocannon({ url: urls[which].url, connections, duration, headers: { authorization: `Bearer ${urls[which].token}` } });
          results[which].rps.push(result.requests.average);
          results[which].p99.push(result.latency.p99);
          results[which].errors += result.errors + result.timeouts + result.non2xx;
          ctx.log(`${which} round ${round + 1}: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
        }
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const bareRps = mean(results.bare.rps);
      const rps = { cached: mean(results.cached.rps), uncached: mean(results.uncached.rps) };
      return {
        figures: [
          {
            name: 'GET /api/v1/devices/:id (status, 20 events; operator token)',
            value: rps.cached,
            unit: 'req/s',
            baseline: { name: 'bare Fastify, same JSON from memory', value: bareRps },
            goal: '≥ 50 % of bare',
            met: rps.cached / bareRps >= 0.5,
          },
          { name: 'same route, latency p99 under that load', value: mean(results.cached.p99), unit: 'ms', baseline: { name: 'bare Fastify', value: mean(results.bare.p99) } },
          { name: 'same route, cache off (SP_STATUS_CACHE_MS=0: two store reads per request)', value: rps.uncached, unit: 'req/s', baseline: { name: 'bare Fastify, same JSON from memory', value: bareRps } },
        ],
        notes: [
          `autocannon, ${connections} connections, no pipelining, ${rounds} round(s) of ${duration} s per server, alternating, after ${warmUp} s of warm-up each; errors and non-2xx answers: ${results.cached.errors} (server) / ${results.uncached.errors} (cache off) / ${results.bare.errors} (bare).`,
          `The server: startServer in its own process through tsx, SQLite, log level info (each request logged, to a file); every request resolves the operator token (SHA-256, then the store at most every 2 s per token: server/auth/operators.ts), checks its role and validates the parameters with zod. As shipped, the route's serialized answer is reused for at most 1 s and dropped at once by every change this instance makes to the router (server/http/device-view-cache.ts): under this load one request a second reads the store. With the cache off, each request reads the device with its desired state and usage (one query) and its 20 events (a second) and writes the answer with the route's compiled serializer (fast-json-stringify from the zod response schema). The bare route: Fastify 5 in its own process, no plugins, returning the same ${JSON.stringify(cached.body).length}-byte JSON object.`,
        ],
      };
    } finally {
      await bare?.stop();
      for (const prepared of servers) await prepared.server.stop();
    }
  },
};
