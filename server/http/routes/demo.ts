// The demo panel of the NOC dashboard (`serviceplus demo` only): it drives the firmware simulator
// through its HTTP control interface, so an operator can cut DSL, weaken the signal or unplug
// the stick and watch the router react. The server never reaches the simulator otherwise:
//   GET  /api/v1/demo      whether the panel is enabled, and the simulator's state when it is
//   POST /api/v1/demo/sim  one action; registered only when config.demoSimControlUrl is set
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ALL_OPERATORS } from '../access.js';
import { ProblemSchema } from '../problems.js';
import { errorResponses } from '../schemas.js';

const SIM_TIMEOUT_MS = 5_000;
const MAX_ANSWER_CHARS = 256 * 1024;

export const DemoSimActionSchema = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('dsl'), state: z.enum(['up', 'down']).describe('down cuts the DSL line; up brings it back') }),
    z.object({
      action: z.literal('signal'),
      dbm: z.number().int().min(-113).max(-51).nullable().describe('received signal in dBm (-113 weak … -51 strong); null: no coverage'),
    }),
    z.object({ action: z.literal('stick'), state: z.enum(['unplugged', 'plugged']).describe('pull the UMTS stick out, or plug it back in') }),
  ])
  .describe('One action of the demo panel');
export type DemoSimAction = z.infer<typeof DemoSimActionSchema>;

export const DemoSimStateSchema = z.object({
  dsl: z.enum(['up', 'down', 'training', 'no-internet']),
  signalDbm: z.number().nullable(),
  stick: z.enum(['plugged', 'unplugged']),
  /** Whether the stick holds a mobile data session. */
  mobileSession: z.boolean(),
});
export type DemoSimState = z.infer<typeof DemoSimStateSchema>;

const DemoInfoSchema = z.object({
  enabled: z.boolean().describe('True only under `serviceplus demo`'),
  /** The simulator as it is now; null when disabled or when the simulator did not answer. */
  simulator: DemoSimStateSchema.nullable(),
});

export const demoRoutes: FastifyPluginAsyncZod = async (app) => {
  const controlUrl = app.services.config.demoSimControlUrl?.replace(/\/+$/, '');

  app.get(
    '/api/v1/demo',
    {
      config: { access: { operators: ALL_OPERATORS } },
      schema: {
        tags: ['demo'],
        summary: 'Whether the demo panel (drive the simulator) is enabled on this server, and the simulator state',
        response: { 200: DemoInfoSchema, ...errorResponses },
      },
    },
    async (request) => {
      if (!controlUrl) return { enabled: false, simulator: null };
      try {
        return { enabled: true, simulator: simState(await callSimulator(controlUrl, 'GET', '/state')) };
      } catch (error) {
        request.log.warn({ err: (error as Error).message }, 'demo: the simulator did not answer');
        return { enabled: true, simulator: null };
      }
    },
  );

  if (!controlUrl) return;

  app.post(
    '/api/v1/demo/sim',
    {
      config: { access: { operators: ['noc', 'admin'] } },
      schema: {
        tags: ['demo'],
        summary: 'Demo only: drive the firmware simulator (cut or restore DSL, set the signal, unplug or replug the stick)',
        body: DemoSimActionSchema,
        response: { 200: z.object({ ok: z.literal(true), simulator: DemoSimStateSchema }), 502: ProblemSchema, ...errorResponses },
      },
    },
    async (request) => {
      const answer = await callSimulator(controlUrl, 'POST', '/control', simCommand(request.body));
      request.log.info({ action: request.body, operator: request.principal.kind === 'operator' ? request.principal.name : null }, 'demo: simulator driven');
      return { ok: true as const, simulator: simState((answer as { state?: unknown }).state) };
    },
  );
};

/** The simulator's own command (firmware-sim/control/actions.ts) for a panel action. */
function simCommand(action: DemoSimAction): Record<string, unknown> {
  switch (action.action) {
    case 'dsl':
      return { action: 'dsl', state: action.state };
    case 'signal':
      return { action: 'signal', dbm: action.dbm };
    case 'stick':
      return { action: action.state === 'unplugged' ? 'unplug' : 'replug' };
  }
}

const SimStateAnswer = z.object({
  router: z.object({ line: z.object({ state: z.enum(['up', 'down', 'training', 'no-internet']) }).loose() }).loose(),
  stick: z.object({ plugged: z.boolean(), signalDbm: z.number().nullable(), session: z.unknown().nullable() }).loose(),
});

function simState(answer: unknown): DemoSimState {
  const parsed = SimStateAnswer.safeParse(answer);
  if (!parsed.success) throw new ApiError('simulator-unavailable', 'The simulator answered with an unexpected state.');
  const { router, stick } = parsed.data;
  return { dsl: router.line.state, signalDbm: stick.signalDbm, stick: stick.plugged ? 'plugged' : 'unplugged', mobileSession: stick.session != null };
}

async function callSimulator(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let answer: { status: number; text: string };
  try {
    answer = await send(new URL(base + path), method, body === undefined ? undefined : JSON.stringify(body));
  } catch (error) {
    throw new ApiError('simulator-unavailable', `The simulator at ${base} did not answer: ${(error as Error).message}.`);
  }
  let json: unknown = null;
  try {
    json = JSON.parse(answer.text);
  } catch {
    // reported below
  }
  if (answer.status < 200 || answer.status >= 300) {
    const detail = (json as { detail?: unknown } | null)?.detail;
    throw new ApiError('simulator-unavailable', `The simulator refused: ${typeof detail === 'string' ? detail : `HTTP ${answer.status}`}.`, {
      simulatorStatus: answer.status,
    });
  }
  if (json === null) throw new ApiError('simulator-unavailable', 'The simulator answered with something other than JSON.');
  return json;
}

/**
 * One request on a connection of its own (no keep-alive pool): a pooled connection the simulator
 * has just closed as idle would fail a POST that cannot be retried. The panel sends a few a minute.
 */
function send(url: URL, method: string, body: string | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method,
        agent: false,
        timeout: SIM_TIMEOUT_MS,
        headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length < MAX_ANSWER_CHARS) text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${SIM_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
