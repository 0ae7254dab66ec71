// `serviceplus sim`: runs the simulated FRITZ!Box and Huawei stick until SIGINT/SIGTERM and
// prints where they are. Options come from the command line only (this folder imports nothing
// of the project, so not shared/config.ts either).
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { dataPlaneSupport, startSimulator } from './index.js';

export const help = `Usage: serviceplus sim [options]

The firmware simulator: a FRITZ!Box answering TR-064 over HTTP (digest auth) and a Huawei UMTS
stick behind a pseudo-terminal, with a JSON control interface to cut DSL, weaken the signal and
inject faults. Prints the TR-064 URL, the credentials, the stick's device path and the control
URL, then runs until SIGINT or SIGTERM.

Router:
  --host <ip>             address to listen on (default 127.0.0.1)
  --router-port <n>       TR-064 port (default 0: a free one; the real box uses 49000)
  --username <name>       TR-064 user (default admin)
  --password <secret>     TR-064 password (default: generated and printed)
  --model <name>          model name (default "FRITZ!Box 7490")
  --firmware <version>    FRITZ!OS version (default 113.07.29)
  --line <state>          initial DSL line: up, down, training, no-internet (default up)
  --no-router             run without the router

Stick:
  --stick-dir <dir>       folder for the device path (default: a new temp folder)
  --stick-name <name>     device file name (default ttyUSB0)
  --pin <pin>             SIM PIN the stick asks for (default: none)
  --apn <apn>             the only APN the network accepts (default: any)
  --latency-scale <x>     multiply realistic latencies (default 1; 0 = instant)
  --boot-urc-ms <ms>      send ^BOOT every <ms> on the idle port (default: never)
  --no-stick              run without the stick

Data plane (Linux, root, iproute2):
  --data-plane            real packets in network namespaces: the DSL link follows the line,
                          the mobile link the stick's data session (names printed; removed on exit)

Control and output:
  --control-port <n>      JSON control interface port on 127.0.0.1 (default 0: a free one)
  --no-control            no control interface
  --seed <n>              seed for random garbage bytes (default 1)
  --json                  print one JSON line {routerUrl, username, password, devicePath, controlUrl}
  -h, --help              this text

Environment: SP_LOG_LEVEL (default info; logs go to stderr).
Control examples:
  curl -X POST <control>/control -d '{"action":"dsl","state":"down"}'
  curl -X POST <control>/control -d '{"action":"signal","dbm":null}'
  curl <control>/state`;

const port = z.coerce.number().int().min(0).max(65535);

const OptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  'router-port': port.default(0),
  username: z.string().default('admin'),
  password: z.string().min(1).optional(),
  model: z.string().min(1).default('FRITZ!Box 7490'),
  firmware: z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a FRITZ!OS version such as 113.07.29').default('113.07.29'),
  line: z.enum(['up', 'down', 'training', 'no-internet']).default('up'),
  'no-router': z.boolean().default(false),
  'stick-dir': z.string().optional(),
  'stick-name': z.string().regex(/^[\w.-]+$/, 'expected a file name').default('ttyUSB0'),
  pin: z.string().regex(/^\d{4,8}$/, 'expected 4 to 8 digits').optional(),
  apn: z.string().optional(),
  'latency-scale': z.coerce.number().min(0).default(1),
  'boot-urc-ms': z.coerce.number().int().positive().optional(),
  'no-stick': z.boolean().default(false),
  'control-port': port.default(0),
  'no-control': z.boolean().default(false),
  'data-plane': z.boolean().default(false),
  seed: z.coerce.number().int().default(1),
  json: z.boolean().default(false),
});

const STRING_OPTIONS = [
  'host',
  'router-port',
  'username',
  'password',
  'model',
  'firmware',
  'line',
  'stick-dir',
  'stick-name',
  'pin',
  'apn',
  'latency-scale',
  'boot-urc-ms',
  'control-port',
  'seed',
] as const;
const BOOLEAN_OPTIONS = ['no-router', 'no-stick', 'no-control', 'data-plane', 'json'] as const;

export async function run(argv: readonly string[]): Promise<number> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' as const }])),
        ...Object.fromEntries(BOOLEAN_OPTIONS.map((name) => [name, { type: 'boolean' as const }])),
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`serviceplus sim: ${error instanceof Error ? error.message : String(error)}\n\n${help}\n`);
    return 2;
  }
  const parsed = OptionsSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`serviceplus sim: --${issue.path.join('.')}: ${issue.message}\n`);
    return 2;
  }
  const o = parsed.data;
  const logger = pino({ name: 'sim', level: process.env['SP_LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  if (o['data-plane']) {
    const support = await dataPlaneSupport();
    if (!support.ok) {
      process.stderr.write(`serviceplus sim: --data-plane: ${support.reason}\n`);
      return 2;
    }
  }

  const sim = await startSimulator({
    router: o['no-router']
      ? false
      : { host: o.host, port: o['router-port'], username: o.username, password: o.password, model: o.model, firmware: o.firmware, line: o.line },
    stick: o['no-stick']
      ? false
      : { dir: o['stick-dir'], name: o['stick-name'], pin: o.pin ?? null, apn: o.apn ?? null, latencyScale: o['latency-scale'], bootUrcIntervalMs: o['boot-urc-ms'] ?? null },
    control: o['no-control'] ? null : { port: o['control-port'] },
    seed: o.seed,
    logger,
    dataPlane: o['data-plane'] ? {} : false,
  });

  const router = sim.router;
  const stick = sim.stick;
  if (o.json) {
    const line = {
      routerUrl: router?.url ?? null,
      username: router?.username ?? null,
      password: router?.password ?? null,
      devicePath: stick?.devicePath ?? null,
      controlUrl: sim.controlUrl,
      ...(sim.dataPlane ? { namespaces: sim.dataPlane.namespaces } : {}),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    const lines: string[] = [];
    if (router) {
      lines.push(`${router.model} (FRITZ!OS ${router.firmware}) TR-064: ${router.url}/tr64desc.xml`);
      lines.push(`  user: ${router.username}  password: ${router.password}`);
    }
    if (stick) lines.push(`Huawei stick (AT over a pty): ${stick.devicePath}  (open at 57600 baud)`);
    if (sim.controlUrl) lines.push(`Control (JSON): ${sim.controlUrl}  e.g. POST /control {"action":"dsl","state":"down"}`);
    if (sim.dataPlane) {
      const ns = sim.dataPlane.namespaces;
      lines.push(`Data plane: namespaces ${Object.values(ns).join(' ')}`);
      lines.push(`  e.g. ip netns exec ${ns.lan} ping ${sim.dataPlane.addresses.server}`);
    }
    lines.push('Press Ctrl+C to stop.');
    process.stdout.write(`${lines.join('\n')}\n`);
  }

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  logger.info({}, 'simulator stopped');
  return 0;
}
