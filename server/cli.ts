// `serviceplus server`: runs the control plane, or manages operator tokens and the schema.
import { parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.js';
import { ConfigError } from '../shared/config.js';
import { loadServerConfig, type ServerConfig } from './config.js';
import { OPERATOR_ROLES, type OperatorRole } from './auth/roles.js';

// The rest is imported when a command needs it, so --help and bad settings answer at once.

export const help = `Usage: serviceplus server [command] [--config <file>]

The control plane: the HTTP API (/api/v1, OpenAPI at /docs) for NOC, helpdesk and the
customer boost page, the MQTT broker (embedded Aedes, or SP_MQTT_URL) and ingest, the scheduled
jobs, and storage (a SQLite file in SP_DATA_DIR, or PostgreSQL at SP_DATABASE_URL).

Commands:
  start (default)                        run the server until SIGTERM or Ctrl-C; on the first
                                         start it creates an admin token and prints it once
  token create --role <role> --name <n>  create an operator token (noc, helpdesk, admin, or
                                         telephony: only the R18 caller lookup); prints the
                                         token once, on stdout
  token list                             list operator tokens (never the tokens themselves)
  token revoke <id>                      revoke an operator token
  migrate                                bring the database schema up to date and exit

Options:
  --config <file>   a JSON settings file (same as SP_CONFIG)
  -h, --help        this text

Settings (JSON file keys, or SP_* environment variables; the variable wins):
  httpHost SP_HTTP_HOST (0.0.0.0)        httpPort SP_HTTP_PORT (8080)
  mqttHost SP_MQTT_HOST (0.0.0.0)        mqttPort SP_MQTT_PORT (1883), the embedded broker
  mqttUrl SP_MQTT_URL                    an external broker instead (mqtt:// or mqtts://)
  mqttUsername, mqttPassword, mqttClientId, mqttPersistentSession: the server's MQTT login
  mqttSharedGroup, mqttSessionExpirySeconds  several instances on an MQTT 5 broker (deploy/)
  mqttPublicUrl                          the broker URL given to agents at enrollment
  brokerHookToken                        enables the HTTP auth/ACL hook for external brokers
  httpsCertFile, httpsKeyFile            HTTPS with these PEM files (unset: plain HTTP)
  mqttTlsCertFile, mqttTlsKeyFile        mqtts:// on the embedded broker with these PEM files
  mqttCaFile                             the CA the server's own MQTT client trusts (private CA)
  databaseUrl SP_DATABASE_URL            postgres://…; unset: SQLite in dataDir
  dataDir SP_DATA_DIR (./data)           logLevel SP_LOG_LEVEL (info)
  smtpUrl, mailFrom                      confirmation mail (unset smtpUrl: mails are logged)
  boostDurationMinutes (1440)            selfServiceBoostsPerMonth (2)
  boostDurationSeconds                   demos and tests only: a boost's length in seconds
  operatorBoostMaxHours (720)            fairUseCapBytes (5000000000)
  fairUseWarnPercent (80)                fairUseAtCap (hold-baseline | warn-only)
  sessionMinutes (60)                    loginRateLimitMax (10), loginRateLimitWindowSeconds (900)
  passwordHashCost (15)                  sweepCron, rolloverCron, outboxCron (node-cron)
  metricsToken                           bearer token for GET /metrics (unset: loopback only)
  demoSimControlUrl                      demo only: the simulator's control URL (NOC demo panel)
  Service rules R12-R24 (JSON objects, defaults from the service description):
  swapCalendar, helpdeskCalendar         opening hours per weekday and exceptions (08:00-22:00)
  swapSla                                {slaBusinessHours: 4, atRiskMarginMinutes: 60}
  contract                               minimumTermMonths 12, noticeMonths 1, annulmentDays 30,
                                         kitReturnDays 14, deliveryDays 7
  coverage, guarantee, entitlements      coverage thresholds; silence policy; licenceSeats 10
  downtimeGapSeconds (180)               a longer stop of the server is a gap in its records

Exit codes: 0 stopped cleanly, 1 failed (e.g. a port in use), 2 bad usage or settings.`;

/** Where the command reads its settings and writes its answers (tests pass their own). */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
  /** Resolves when a running server should stop; defaults to SIGTERM or SIGINT. */
  untilStopped?(): Promise<unknown>;
}

const processIo: CliIo = {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const usageError = (message: string): number => {
    io.err(`serviceplus server: ${message}\nRun 'serviceplus server --help' for usage.\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { config: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(`${help}\n`);
    return 0;
  }

  let config: ServerConfig;
  try {
    config = loadServerConfig({ env: io.env, ...(values.config ? { file: values.config } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`serviceplus server: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const [command = 'start', sub, ...rest] = positionals;
  switch (command) {
    case 'start':
      return sub === undefined ? serve(config, io) : usageError(`unexpected argument '${sub}'`);
    case 'migrate': {
      const { openDatabase } = await import('./db/database.js');
      const store = await openDatabase(config);
      io.out(`schema up to date: ${store.location}\n`);
      await store.close();
      return 0;
    }
    case 'token':
      return tokenCommand(config, io, usageError, sub, rest, values);
    default:
      return usageError(`unknown command '${command}'`);
  }
}

async function serve(config: ServerConfig, io: CliIo): Promise<number> {
  const [{ createLogger }, { startServer, stopSignal }, { PortInUseError }, { countOperatorTokens }] = await Promise.all([
    import('../shared/log.js'),
    import('./main.js'),
    import('./mqtt/embedded-broker.js'),
    import('./store/credentials.js'),
  ]);
  const log = createLogger({ name: 'server', level: config.logLevel });
  let server;
  try {
    server = await startServer(config, { log });
  } catch (error) {
    // A certificate file that cannot be read is a bad setting, like any other (issue 11).
    if (error instanceof ConfigError) {
      io.err(`serviceplus server: ${error.message}\n`);
      return 2;
    }
    io.err(`serviceplus server: ${error instanceof PortInUseError ? '' : 'cannot start: '}${(error as Error).message}\n`);
    return 1;
  }
  const out = (line: string) => io.out(`${line}\n`);
  out('ServicePlus control plane');
  out(`  HTTP API   ${server.url}/api/v1   (OpenAPI: ${server.url}/docs)`);
  out(`  MQTT       ${server.mqttUrl}   (${server.embeddedBroker ? 'embedded broker' : 'external broker'})`);
  out(`  Database   ${server.services.store.location}`);
  if ((await countOperatorTokens(server.services.store.db)) === 0) {
    const { token } = await server.services.operators.create({ name: 'bootstrap', role: 'admin' }, { kind: 'system', id: 'cli' });
    out(`  Admin token (shown once; create others with 'serviceplus server token create'):`);
    out(`    ${token}`);
  }

  await (io.untilStopped ?? stopSignal)();
  log.info('stopping');
  await server.close();
  return 0;
}

async function tokenCommand(
  config: ServerConfig,
  io: CliIo,
  usageError: (message: string) => number,
  sub: string | undefined,
  rest: string[],
  values: { role?: string | undefined; name?: string | undefined },
): Promise<number> {
  const role = values.role as OperatorRole | undefined;
  if (sub === 'create') {
    if (!role || !(OPERATOR_ROLES as readonly string[]).includes(role)) return usageError(`--role must be one of ${OPERATOR_ROLES.join(', ')}`);
    if (!values.name?.trim()) return usageError('--name is required');
  }
  const [{ openDatabase }, { OperatorTokens }] = await Promise.all([import('./db/database.js'), import('./auth/operators.js')]);
  const store = await openDatabase(config);
  const tokens = new OperatorTokens(store, systemClock);
  const actor = { kind: 'system' as const, id: 'cli' };
  try {
    switch (sub) {
      case 'create': {
        const { row, token } = await tokens.create({ name: values.name!.trim(), role: role! }, actor);
        io.err(`operator token ${row.id} for ${row.name} (${row.role}); it is shown once:\n`);
        io.out(`${token}\n`);
        return 0;
      }
      case 'list':
        for (const row of await tokens.list()) {
          const state = row.revoked_at === null ? 'active' : `revoked ${new Date(row.revoked_at).toISOString()}`;
          io.out(`${row.id}\t${row.role}\t${row.name}\t${state}\n`);
        }
        return 0;
      case 'revoke': {
        const [id] = rest;
        if (!id) return usageError('token revoke needs the token id (see token list)');
        await tokens.revoke(id, actor);
        io.out(`revoked ${id}\n`);
        return 0;
      }
      default:
        return usageError('token needs create, list or revoke');
    }
  } catch (error) {
    io.err(`serviceplus server: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
