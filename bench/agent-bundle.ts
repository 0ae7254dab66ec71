// Builds the agent into one ESM file with esbuild (what tsx already uses to run the sources), to
// run it with plain `node` beside a router: no TypeScript transform at run time, no tsx loader,
// only the code the agent reaches. serialport stays external (a native addon); the bundle is
// written under node_modules/.cache so that it still resolves from the package's node_modules.
//
//   npx tsx bench/agent-bundle.ts [out.mjs]     then: node <out.mjs> [--config file]
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

export async function buildAgentBundle(out = join(root, 'node_modules/.cache/serviceplus/agent.mjs')): Promise<string> {
  // An output outside the package could not resolve the external native packages.
  const target = out.startsWith(root) ? out : join(root, 'node_modules/.cache/serviceplus', out.split('/').pop()!);
  await mkdir(dirname(target), { recursive: true });
  await build({
    stdin: {
      contents: [
        "import { run } from './agent/cli.ts';",
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
  });
  return target;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${await buildAgentBundle(process.argv[2])}\n`);
}
