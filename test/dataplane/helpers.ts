// Shared set-up for the data-plane tests: a simulated data plane (namespaces, veth pairs) and the
// agent's controller acting inside its router namespace, the way the agent acts on its host.
import { execFile } from 'node:child_process';
import type { Test } from 'tap';
import { createDataPlaneController, dataPlaneConfigSchema, type DataPlaneConfigInput, type DataPlaneController } from '../../agent/dataplane/index.js';
import { createDataPlane, dataPlaneSupport, type DataPlane, type DataPlaneOptions } from '../../firmware-sim/dataplane/index.js';

/** `false` when the simulated data plane can run here, or why not (tap prints it as the skip reason). */
export async function skipUnlessNamespaces(): Promise<false | string> {
  const support = await dataPlaneSupport();
  return support.ok ? false : `needs root and iproute2: ${support.reason}`;
}

/** As skipUnlessNamespaces, and the kernel has what the agent's routes and shaper use. */
export async function skipUnlessSupported(): Promise<false | string> {
  const namespaces = await skipUnlessNamespaces();
  if (namespaces) return namespaces;
  const missing = await missingKernelFeatures();
  return missing.length === 0 ? false : `the kernel lacks what the agent's shaper needs: ${missing.join(', ')}`;
}

/** Tries each qdisc, classifier, action and device type the agent uses, in a throw-away namespace. */
async function missingKernelFeatures(): Promise<string[]> {
  const ns = `spdpkern-${process.pid}`;
  const ip = (...args: string[]) => run('ip', ['-n', ns, ...args]);
  const tc = (...args: string[]) => run('tc', ['-n', ns, ...args]);
  const missing: string[] = [];
  await run('ip', ['netns', 'add', ns]);
  try {
    await ip('link', 'add', 'name', 'k0', 'type', 'veth', 'peer', 'name', 'k1');
    const checks: [string, () => Promise<unknown>][] = [
      ['ifb', () => ip('link', 'add', 'name', 'kifb', 'type', 'ifb')],
      ['tbf', () => tc('qdisc', 'add', 'dev', 'k0', 'root', 'handle', '1:', 'tbf', 'rate', '64kbit', 'burst', '1600', 'limit', '6400')],
      ['htb', () => tc('qdisc', 'add', 'dev', 'k0', 'parent', '1:1', 'handle', '2:', 'htb')],
      ['u32', () => tc('filter', 'add', 'dev', 'k0', 'parent', '2:', 'protocol', 'ip', 'u32', 'match', 'u32', '0', '0', 'flowid', '2:1')],
      ['ingress', () => tc('qdisc', 'add', 'dev', 'k1', 'handle', 'ffff:', 'ingress')],
      ['mirred', () => tc('filter', 'add', 'dev', 'k1', 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', 'k0')],
      ['ip rule ipproto/dport', () => ip('rule', 'add', 'ipproto', 'tcp', 'dport', '119', 'prohibit')],
    ];
    for (const [name, check] of checks) await check().catch(() => missing.push(name));
  } finally {
    await run('ip', ['netns', 'del', ns]).catch(() => {});
  }
  return missing;
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, [...args], (error, stdout) => (error ? reject(error) : resolve(String(stdout)))));
}

/** The agent's data-plane config for a simulated router namespace. */
export function routerConfig(dp: DataPlane, overrides: Partial<DataPlaneConfigInput> = {}) {
  return dataPlaneConfigSchema.parse({
    netns: dp.namespaces.router,
    dsl: { device: dp.interfaces.router.dsl, gateway: dp.addresses.dslGateway },
    mobile: { device: dp.interfaces.router.mobile, gateway: dp.addresses.mobileGateway },
    ...overrides,
  });
}

export interface Rig {
  readonly dp: DataPlane;
  readonly agent: DataPlaneController;
}

/** A data plane and the agent's controller for it; both go away when the test ends. */
export async function rig(t: Test, options: DataPlaneOptions = {}, config: Partial<DataPlaneConfigInput> = {}): Promise<Rig> {
  const dp = await createDataPlane(options);
  t.teardown(() => dp.destroy());
  return { dp, agent: createDataPlaneController(routerConfig(dp, config)) };
}

/** Runs `tool -n <namespace> -batch -` with these lines and resolves with what it printed. */
function batch(tool: 'ip' | 'tc', namespace: string, lines: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(tool, ['-n', namespace, '-batch', '-'], (error, stdout, stderr) => {
      if (error) reject(new Error(`${tool} -batch: ${String(stderr) || error.message}`));
      else resolve(String(stdout));
    });
    child.stdin?.end(lines.join('\n') + '\n');
  });
}

/** The router's routes, rules, links and every qdisc, class and filter, as the kernel prints them. */
export async function routerState(dp: DataPlane): Promise<string> {
  const ns = dp.namespaces.router;
  const links = await batch('ip', ns, ['route show table all', 'rule show', 'link show']);
  const devices = [...links.matchAll(/^\d+: ([^:@\s]+)[@:]/gm)].map((m) => m[1]!).filter((d) => d !== 'lo');
  const tc = await batch('tc', ns, ['qdisc show', ...devices.flatMap((d) => [`class show dev ${d}`, `filter show dev ${d}`, `filter show dev ${d} parent ffff:`])]);
  return `${links}\n${tc}`;
}

/** Resolves after `ms` of real time (traffic needs real time to flow; nothing here asserts on it). */
export function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true, or fails after `deadlineMs`. */
export async function waitFor(check: () => Promise<boolean>, deadlineMs: number, what: string): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check()) return;
    await elapse(50);
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
}
