// Builds the agent into one ESM file with esbuild (what tsx already uses to run the sources), to
// run it with plain `node` beside a router: no TypeScript transform at run time, no tsx loader,
// only the code the agent reaches. serialport stays external (a native addon); the bundle is
// written under node_modules/.cache so that it still resolves from the package's node_modules.
//
//   npx tsx bench/agent-bundle.ts [out.mjs] [--period-os-tz]     then: node <out.mjs> [--config file]
//
// Production: `npm run build:agent` writes dist/agent.mjs; run it beside the router (with the
// package's node_modules for serialport) as
//   node --lite-mode --no-expose-wasm --max-semi-space-size=1 --max-old-space-size=32 dist/agent.mjs
// (the flags: bench/footprint.ts PRODUCTION_NODE_ARGS; their effect: README, Performance).
//
// --period-os-tz (option `periodFromOsTimeZone`) measures a PROPOSAL: shared/period.ts replaced
// by bench/lib/period-os-tz.ts (month boundaries from the OS time-zone database, TZ set to
// Europe/Amsterdam at start, no Intl), which spares the agent about 8 MB of ICU data.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

export interface AgentBundleOptions {
  /** Swap shared/period.ts for bench/lib/period-os-tz.ts and set TZ (a proposal; see above). */
  readonly periodFromOsTimeZone?: boolean;
}

const periodFromOsTimeZone: Plugin = {
  name: 'period-from-os-time-zone',
  setup(builder) {
    builder.onResolve({ filter: /\/period\.js$/ }, (args) =>
      args.resolveDir.startsWith(root) && args.path.endsWith('period.js') && /(^|\/)shared$/.test(join(args.resolveDir, dirname(args.path)))
        ? { path: join(root, 'bench/lib/period-os-tz.ts') }
        : undefined,
    );
  },
};

export async function buildAgentBundle(out = join(root, 'node_modules/.cache/serviceplus/agent.mjs'), options: AgentBundleOptions = {}): Promise<string> {
  // An output outside the package could not resolve the external native packages.
  const absolute = resolve(out);
  const target = absolute.startsWith(root) ? absolute : join(root, 'node_modules/.cache/serviceplus', basename(absolute));
  await mkdir(dirname(target), { recursive: true });
  await build({
    stdin: {
      contents: [
        // The time zone must be set before anything reads a date; hence the dynamic import.
        ...(options.periodFromOsTimeZone ? ["process.env.TZ = 'Europe/Amsterdam';"] : []),
        "const { run } = await import('./agent/cli.ts');",
        "const argv = process.argv.slice(2);",
        "if (argv[0] === 'agent') argv.shift();",
        'process.exitCode = await run(argv);',
      ].join('\n'),
      resolveDir: root,
      sourcefile: 'agent-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: target,
    external: ['serialport', '@serialport/*'],
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __spCreateRequire } from 'node:module'; const require = __spCreateRequire(import.meta.url);" },
    legalComments: 'none',
    minify: true,
    keepNames: true,
    logLevel: 'warning',
    plugins: options.periodFromOsTimeZone ? [periodFromOsTimeZone] : [],
  });
  return target;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  process.stdout.write(`${await buildAgentBundle(file, { periodFromOsTimeZone: args.includes('--period-os-tz') })}\n`);
}
