// Live updates for the NOC dashboard: server-sent events (text/event-stream) over one long GET,
// for operators only. The browser reads it with fetch() and the bearer token in a header (an
// EventSource could only carry the token in the URL, which ends up in logs).
//
//   event: hello   data: {"at": "…", "heartbeatMs": 15000}         once, on connect
//   event: device  data: {"deviceId", "causes": ["status", …], "device": DeviceView | null}
//   : ping                                                          every heartbeatMs
//
// Changes come from the LiveFeed (ingest and services); bursts for one device (a failover
// brings status, event and usage at once) are sent as one `device` event with the view built
// once for every listener. A client that reads too slowly is dropped; it reconnects and
// reloads the fleet, which is also how it catches up after any gap.
import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TopicKind } from '../../../shared/contract/index.js';
import { ApiError } from '../../errors.js';
import type { DeviceView } from '../../services/views.js';
import { ALL_OPERATORS } from '../access.js';
import { ProblemSchema } from '../problems.js';
import { errorResponses } from '../schemas.js';

export const LIVE_PATH = '/api/v1/live';
const HEARTBEAT_MS = 15_000;
/** Changes arriving within this window are sent together. */
const COALESCE_MS = 50;
const MAX_CLIENTS = 100;
/** Unsent bytes after which a client counts as stuck and is dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export const liveRoutes: FastifyPluginAsyncZod = async (app) => {
  const { live, devices } = app.services;
  const clients = new Set<ServerResponse>();
  const pending = new Map<string, Set<TopicKind>>();
  let flushTimer: NodeJS.Timeout | undefined;
  // One flush at a time, so that a device's views go out in the order they were read.
  let flushing: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;
  let nextId = 1;

  const send = (client: ServerResponse, frame: string) => {
    if (client.writableLength > MAX_BUFFERED_BYTES) {
      client.destroy();
      return;
    }
    client.write(frame);
  };

  const viewOf = async (deviceId: string): Promise<DeviceView | null> => {
    try {
      return await devices.view(await devices.get(deviceId));
    } catch (error) {
      if (error instanceof ApiError && error.code === 'device-not-found') return null;
      throw error;
    }
  };

  const flush = async (): Promise<void> => {
    flushTimer = undefined;
    const batch = [...pending];
    pending.clear();
    for (const [deviceId, causes] of batch) {
      if (clients.size === 0) return;
      let device: DeviceView | null;
      try {
        device = await viewOf(deviceId);
      } catch (error) {
        app.log.warn({ err: error, deviceId }, 'live: device view failed');
        continue;
      }
      const frame = eventFrame('device', nextId++, { deviceId, causes: [...causes], device });
      for (const client of clients) send(client, frame);
    }
  };

  const listen = () => {
    unsubscribe ??= live.subscribe(({ deviceId, cause }) => {
      const causes = pending.get(deviceId) ?? new Set<TopicKind>();
      causes.add(cause);
      pending.set(deviceId, causes);
      flushTimer ??= setTimeout(() => {
        flushing = flushing.then(flush, flush);
      }, COALESCE_MS);
    });
  };

  const heartbeat = setInterval(() => {
    for (const client of clients) send(client, ': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  // Before the HTTP server waits for its connections to end: end ours, or it would wait forever.
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    if (flushTimer) clearTimeout(flushTimer);
    unsubscribe?.();
    for (const client of clients) client.end();
    clients.clear();
  });

  app.get(
    LIVE_PATH,
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['live'],
        summary: 'Server-sent events for the NOC dashboard: a `device` event with the device view whenever a router changes',
        headers: z.object({ accept: z.string().optional().describe('text/event-stream (or */*): required') }).loose(),
        response: { 200: z.string().describe('text/event-stream'), 406: ProblemSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      // A stream is opened only for a client that says it reads one (EventSource and fetch send
      // text/event-stream or */*); anything else gets an answer instead of a request that never ends.
      if (!acceptsEventStream(request.headers.accept)) {
        throw new ApiError('not-acceptable', 'This route answers with a text/event-stream; send Accept: text/event-stream.');
      }
      if (clients.size >= MAX_CLIENTS) throw new ApiError('rate-limited', `At most ${MAX_CLIENTS} live connections at once.`);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      raw.socket?.setNoDelay(true);
      clients.add(raw);
      listen();
      const forget = () => {
        clients.delete(raw);
        if (clients.size === 0 && unsubscribe) {
          unsubscribe();
          unsubscribe = undefined;
          pending.clear();
        }
      };
      raw.on('close', forget);
      raw.write(`retry: 3000\n\n`);
      send(raw, eventFrame('hello', nextId++, { at: new Date(app.services.clock.now()).toISOString(), heartbeatMs: HEARTBEAT_MS }));
      request.log.info({ method: 'GET', route: LIVE_PATH, clients: clients.size }, 'live client connected');
    },
  );
};

function acceptsEventStream(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => /^\s*(text\/event-stream|text\/\*|\*\/\*)\s*(;|$)/i.test(range));
}

function eventFrame(event: string, id: number, data: unknown): string {
  return `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
}
