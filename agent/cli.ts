// `serviceplus agent`: loads the settings, starts the agent beside the router, prints what it
// connects to, and stops cleanly on SIGTERM or SIGINT.
import { ConfigError, envName } from '../shared/config.js';
import { redactUrl } from '../shared/log.js';
import { AgentConfigSchema, loadAgentConfig, type AgentConfig } from './config.js';
import { AgentError, describeError } from './errors.js';

function settingsList(): string {
  const lines: string[] = [];
  for (const [key, field] of Object.entries(AgentConfigSchema.shape)) {
    const def = (field as { def: { type: string; defaultValue?: unknown } }).def;
    const hasDefault = def.type === 'default' || def.type === 'prefault';
    const note = hasDefault ? `default ${JSON.stringify(def.defaultValue)}` : def.type === 'optional' ? 'optional' : 'required';
    lines.push(`  ${key.padEnd(23)} ${envName(key).padEnd(29)} ${note}`);
  }
  return lines.join('\n');
}

export const help = `Usage: serviceplus agent [--config <file>] [--check]

The router agent: watches DSL over TR-064, drives the UMTS stick over AT commands, fails over,
meters mobile data and applies throttle profiles from the control plane over MQTT.

Options:
  --config <file>   JSON settings file (same as SP_CONFIG); SP_* variables override it
  --check           validate the settings, print what the agent would connect to, and exit
  -h, --help        this text

Settings (JSON key, environment variable):
${settingsList()}

Exit codes: 0 stopped by SIGTERM/SIGINT, 2 bad settings, 3 unsupported router (R1) or router
credentials refused, 1 anything else.`;

export async function run(argv: readonly string[]): Promise<number> {
  let file: string | undefined;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' && argv[i + 1] !== undefined) file = argv[++i];
    else if (arg.startsWith('--config=')) file = arg.slice('--config='.length);
    else if (arg === '--check') check = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${help}\n`);
      return 0;
    }
    else {
      process.stderr.write(`serviceplus agent: unknown option '${arg}'\n\n${help}\n`);
      return 2;
    }
  }

  let config: AgentConfig;
  try {
    config = loadAgentConfig(file ? { file } : {});
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`serviceplus agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  process.stdout.write(
    [
      `serviceplus agent ${config.deviceId}`,
      `  router (TR-064)  ${config.routerUrl}${config.routerUsername ? ` as ${config.routerUsername}` : ''}`,
      `  stick            ${config.devicePath} (APN ${config.apn})`,
      `  control plane    ${redactUrl(config.mqttUrl)} as ${config.deviceId}`,
      `  state            ${config.dataDir}`,
      `  probes           ${config.probeTargets.map((p) => `${p.host}:${p.port}`).join(', ')}`,
      '',
    ].join('\n'),
  );
  if (check) return 0;

  const { startAgent } = await import('./main.js');
  const aborter = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    if (++signals > 1) {
      process.stderr.write(`serviceplus agent: ${name} again, exiting now\n`);
      process.exit(1);
    }
    aborter.abort();
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  try {
    const agent = await startAgent(config, { signal: aborter.signal });
    process.stdout.write(`  router model     ${agent.router.modelName} (FRITZ!OS ${agent.router.firmware})\nrunning; SIGTERM or Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      if (aborter.signal.aborted) resolve();
      else aborter.signal.addEventListener('abort', () => resolve());
    });
    await agent.stop();
    return 0;
  } catch (error) {
    // mqttCaFile is read at start: a missing or unreadable file is a bad setting (issue 11).
    if (error instanceof ConfigError) {
      process.stderr.write(`serviceplus agent: ${error.message}\n`);
      return 2;
    }
    if (error instanceof AgentError && (error.code === 'unsupported-router' || error.code === 'router-auth')) {
      process.stderr.write(`serviceplus agent: ${error.message}\n`);
      return 3;
    }
    if (aborter.signal.aborted) return 0;
    process.stderr.write(`serviceplus agent: ${describeError(error)}\n`);
    return 1;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}

