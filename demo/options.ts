// The demo's command line, checked with zod. Ports given on the command line or in SP_HTTP_PORT /
// SP_MQTT_PORT are used as given (a busy one stops the demo with its name); the defaults, 8080
// and 1883, give way to free ports when taken, so a newcomer is never stopped by a busy port.
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const SCENARIOS = ['outage'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_MQTT_PORT = 1883;

const port = z.coerce.number().int().min(0).max(65_535);

export const DemoOptionsSchema = z.object({
  scenario: z.enum(SCENARIOS).optional(),
  /** null: the default port, or a free one if it is taken. */
  httpPort: port.nullable(),
  mqttPort: port.nullable(),
  host: z.string().min(1),
  dataDir: z.string().min(1),
  /** Simulator latencies: 1 is realistic (the default), 0 instant. */
  latencyScale: z.coerce.number().min(0).max(10),
  /** R5 shortened for the demo (production: 24 hours). */
  boostSeconds: z.coerce.number().int().min(5).max(3_600),
  /** Stable DSL needed before failback (production: 30 s). */
  failbackSeconds: z.coerce.number().int().min(0).max(600),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
});
export type DemoOptions = z.infer<typeof DemoOptionsSchema>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseDemoArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        scenario: { type: 'string' },
        'http-port': { type: 'string' },
        'mqtt-port': { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'latency-scale': { type: 'string' },
        'boost-seconds': { type: 'string' },
        'failback-seconds': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const parsed = DemoOptionsSchema.safeParse({
    scenario: values.scenario,
    httpPort: values['http-port'] ?? nonEmpty(env['SP_HTTP_PORT']) ?? null,
    mqttPort: values['mqtt-port'] ?? nonEmpty(env['SP_MQTT_PORT']) ?? null,
    host: values.host ?? '127.0.0.1',
    dataDir: values['data-dir'] ?? nonEmpty(env['SP_DATA_DIR'])?.replace(/\/*$/, '/demo') ?? './data/demo',
    latencyScale: values['latency-scale'] ?? 1,
    boostSeconds: values['boost-seconds'] ?? 15,
    failbackSeconds: values['failback-seconds'] ?? 5,
    logLevel: nonEmpty(env['SP_LOG_LEVEL']) ?? 'info',
  });
  if (!parsed.success) {
    const names: Record<string, string> = {
      httpPort: '--http-port / SP_HTTP_PORT',
      mqttPort: '--mqtt-port / SP_MQTT_PORT',
      dataDir: '--data-dir',
      latencyScale: '--latency-scale',
      boostSeconds: '--boost-seconds',
      failbackSeconds: '--failback-seconds',
      logLevel: 'SP_LOG_LEVEL',
    };
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return `${names[key] ?? `--${key}`}: ${issue.message}`;
    });
    throw new UsageError(problems.join('; '));
  }
  return parsed.data;
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
