// Dispatches `serviceplus <command>` to a program. Each program is imported only when asked for,
// so the agent does not load the server's dependencies (it must stay small beside a router).

/** What every program's `cli.ts` exports. */
export interface ProgramCli {
  /** The text `--help` prints. */
  readonly help: string;
  /** Runs the program; resolves to the exit code once it has stopped. */
  run(argv: readonly string[]): Promise<number>;
}

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<ProgramCli>;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  server: { summary: 'the control plane: HTTP API, pages, MQTT broker and ingest', load: () => import('../server/cli.js') },
  agent: { summary: 'the router agent: DSL watch, UMTS stick, failover, metering, profiles', load: () => import('../agent/cli.js') },
  sim: { summary: 'the firmware simulator: a FRITZ!Box (TR-064) and a Huawei UMTS stick on a pty', load: () => import('../firmware-sim/cli.js') },
  demo: { summary: 'everything on this machine: server, simulator and an enrolled agent (npm start)', load: () => import('../demo/cli.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    'Usage: serviceplus <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'serviceplus <command> --help' for a command's options.",
    'Settings also come from SP_* environment variables and a JSON file named by SP_CONFIG.',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`serviceplus: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const program = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${program.help.trimEnd()}\n`);
    return 0;
  }
  return program.run(rest);
}
