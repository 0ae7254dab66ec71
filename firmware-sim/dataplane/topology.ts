// The simulated data plane: real Linux network namespaces and veth pairs (iproute2), so the
// agent's routes and shaping act on real packets. createDataPlane builds one instance with
// unique namespace names; destroy() removes it; removeLeftovers() removes what a crashed run
// left behind. Needs root and iproute2: see dataPlaneSupport() in support.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { ADDRESSES, CUTS, DEVICES, FORWARDING_ROLES, LINKS, ROUTES, type Cut, type DslCut } from './layout.js';
import { DEFAULT_PREFIX, ROLES, isProcessAlive, isValidPrefix, namespaceName, parseNamespaceName, parseNetnsList, type Role } from './names.js';
import { SIM_DATAPLANE_ERROR_CODES, SimDataPlaneError, run, runIpBatch, tryRun, type CommandOutput } from './run.js';

export interface DataPlaneOptions {
  /** Namespace name prefix (lower-case letters and digits, at most 12); default `spdp`. */
  readonly prefix?: string;
  /** The DSL line's state at start; default up. */
  readonly dslUp?: boolean;
  /** Whether the stick's data session is up at start; default down. */
  readonly mobileUp?: boolean;
  /**
   * Make the end hosts (`lan`, `inet`) emit wire-sized packets, as a real NIC and cable
   * deliver them: a veth otherwise hands 64 KB TCP super-packets (GSO) straight to the router,
   * which no real link does. Default true.
   */
  readonly wireSizedHosts?: boolean;
  /** Where setDslCarrier(false) cuts: `line` (default) or `wan` (see layout.ts). */
  readonly dslCut?: DslCut;
}

export type Uplink = 'dsl' | 'mobile';

export interface DataPlane {
  /** Namespace name of each role (`ip netns exec <name> …`). */
  readonly namespaces: Readonly<Record<Role, string>>;
  readonly interfaces: typeof DEVICES;
  readonly addresses: typeof ADDRESSES;
  /** The DSL line: down stops every packet on it, as when sync is lost. */
  setDslCarrier(up: boolean): Promise<void>;
  /** The stick's data session: the mobile link carries packets only while it is up. */
  setMobileCarrier(up: boolean): Promise<void>;
  carrier(): Readonly<Record<Uplink, boolean>>;
  /** Runs a program inside a namespace and waits for it. */
  exec(role: Role, file: string, args: readonly string[]): Promise<CommandOutput>;
  /** Starts a program inside a namespace; destroy() stops it if it is still running. */
  spawn(role: Role, file: string, args: readonly string[]): ChildProcess;
  /** Stops what spawn started and deletes the namespaces (with every device in them). */
  destroy(): Promise<void>;
}

let instanceCounter = 0;

export async function createDataPlane(options: DataPlaneOptions = {}): Promise<DataPlane> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (!isValidPrefix(prefix)) {
    throw new SimDataPlaneError(SIM_DATAPLANE_ERROR_CODES.BAD_OPTION, `prefix must match [a-z][a-z0-9]{0,11}: ${prefix}`);
  }
  await removeLeftovers(prefix);
  instanceCounter += 1;
  const instance = instanceCounter;
  const namespaces = Object.fromEntries(
    ROLES.map((role) => [role, namespaceName(prefix, process.pid, instance, role)]),
  ) as Record<Role, string>;

  const cuts: Record<Uplink, Cut> = { dsl: CUTS[options.dslCut ?? 'line'], mobile: CUTS.mobile };
  try {
    await build(namespaces, options, cuts);
  } catch (error) {
    await deleteNamespaces(Object.values(namespaces));
    throw error;
  }
  return new NamespacedDataPlane(namespaces, cuts, { dsl: options.dslUp ?? true, mobile: options.mobileUp ?? false });
}

async function build(namespaces: Record<Role, string>, options: DataPlaneOptions, cuts: Record<Uplink, Cut>): Promise<void> {
  await runIpBatch(null, ROLES.map((role) => ['netns', 'add', namespaces[role]]));
  await Promise.all(ROLES.map((role) => configureSysctls(namespaces[role], FORWARDING_ROLES.includes(role))));
  const carriers: Record<Uplink, boolean> = { dsl: options.dslUp ?? true, mobile: options.mobileUp ?? false };
  // One `ip -batch` per namespace, in an order where each veth's far end exists before its
  // namespace configures it: the router makes its three links, the uplinks theirs to the internet.
  for (const role of ['router', 'dsl', 'mobile', 'lan', 'inet'] as const) {
    await runIpBatch(namespaces[role], namespaceCommands(role, namespaces, cuts, carriers, options.wireSizedHosts ?? true));
  }
}

/** Everything one namespace needs, as `ip` commands (pure: the layout as commands). */
function namespaceCommands(role: Role, namespaces: Record<Role, string>, cuts: Record<Uplink, Cut>, carriers: Record<Uplink, boolean>, wireSizedHosts: boolean): string[][] {
  const commands: string[][] = [['link', 'set', 'lo', 'up']];
  if (role === 'inet') commands.push(['address', 'add', `${ADDRESSES.server}/32`, 'dev', 'lo']);
  for (const link of LINKS) {
    if (link.a.role === role) commands.push(['link', 'add', 'name', link.a.device, 'type', 'veth', 'peer', 'name', link.b.device, 'netns', namespaces[link.b.role]]);
  }
  const downAtStart = (Object.keys(cuts) as Uplink[]).filter((u) => !carriers[u]).map((u) => cuts[u]);
  for (const end of LINKS.flatMap((link) => [link.a, link.b]).filter((e) => e.role === role)) {
    commands.push(['address', 'add', end.address, 'dev', end.device]);
    // TCP in the end hosts then builds one MSS per packet, as a NIC's segmentation and a cable would deliver.
    if (wireSizedHosts && (role === 'lan' || role === 'inet')) commands.push(['link', 'set', 'dev', end.device, 'gso_max_segs', '1', 'gso_max_size', '1500']);
    if (!downAtStart.some((cut) => cut.role === role && cut.device === end.device)) commands.push(['link', 'set', 'dev', end.device, 'up']);
  }
  const managedByDownCut = new Set(downAtStart.flatMap((cut) => cut.routes));
  for (const route of ROUTES) if (route.role === role && !managedByDownCut.has(route)) commands.push(['route', 'replace', ...route.args]);
  return commands;
}

/**
 * Brings an uplink up (its device, then its routes) or down (packets stop, routes withdrawn).
 * One `ip -batch` per namespace: a failover waits for this, and on a busy machine every process
 * costs tens of milliseconds.
 */
async function setCut(namespaces: Readonly<Record<Role, string>>, cut: Cut, up: boolean): Promise<void> {
  const others = [...new Set(cut.routes.map((r) => r.role))].filter((role) => role !== cut.role);
  const routesOf = (role: Role, verb: 'replace' | 'del') => cut.routes.filter((r) => r.role === role).map((r) => ['route', verb, ...r.args]);
  if (up) {
    // The device and the routes through it first; only then may the far side prefer this path
    // (the internet's route back to the customer over DSL wins over mobile as soon as it exists).
    await runIpBatch(namespaces[cut.role], [['link', 'set', 'dev', cut.device, 'up'], ...routesOf(cut.role, 'replace')]);
    await Promise.all(others.map((role) => runIpBatch(namespaces[role], routesOf(role, 'replace'))));
  } else {
    // The device goes first (packets stop at once), then the network withdraws its routes. The
    // router's own routes stay, as on a real interface that lost its carrier.
    await run('ip', ['-n', namespaces[cut.role], 'link', 'set', 'dev', cut.device, 'down']);
    await Promise.all([cut.role, ...others].map((role) => runIpBatch(namespaces[role], routesOf(role, 'del'), 20_000, { force: true }).catch(() => {})));
  }
}

/** Forwarding where packets are routed; no IPv6 (R10: none on mobile), so counters hold only our traffic. */
async function configureSysctls(namespace: string, forwarding: boolean): Promise<void> {
  const settings: Record<string, string> = {
    'net/ipv6/conf/all/disable_ipv6': '1',
    'net/ipv6/conf/default/disable_ipv6': '1',
    'net/ipv4/conf/all/rp_filter': '0',
    'net/ipv4/conf/default/rp_filter': '0',
    'net/ipv4/ip_forward': forwarding ? '1' : '0',
  };
  // /proc/sys/net shows the namespace of the process that reads it. sysctl(8) is quick; node,
  // always at hand, stands in where procps is not installed.
  const viaSysctl = await tryRun('ip', ['netns', 'exec', namespace, 'sysctl', '-q', '-w', ...Object.entries(settings).map(([k, v]) => `${k.replaceAll('/', '.')}=${v}`)]);
  if (viaSysctl) return;
  const script = `const fs=require('fs');for(const [k,v] of Object.entries(JSON.parse(process.argv[1])))fs.writeFileSync('/proc/sys/'+k,v)`;
  await run('ip', ['netns', 'exec', namespace, process.execPath, '-e', script, JSON.stringify(settings)]);
}

class NamespacedDataPlane implements DataPlane {
  readonly interfaces = DEVICES;
  readonly addresses = ADDRESSES;
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;
  private readonly carriers: Record<Uplink, boolean>;
  /** Carrier changes run one at a time, in call order (a flapping line calls quickly). */
  private changes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly namespaces: Readonly<Record<Role, string>>,
    private readonly cuts: Readonly<Record<Uplink, Cut>>,
    carriers: Record<Uplink, boolean>,
  ) {
    this.carriers = { ...carriers };
  }

  carrier(): Readonly<Record<Uplink, boolean>> {
    return { ...this.carriers };
  }

  setDslCarrier(up: boolean): Promise<void> {
    return this.setCarrier('dsl', up);
  }

  setMobileCarrier(up: boolean): Promise<void> {
    return this.setCarrier('mobile', up);
  }

  private setCarrier(uplink: Uplink, up: boolean): Promise<void> {
    this.assertAlive();
    const change = this.changes.then(async () => {
      if (this.destroyed) return;
      await setCut(this.namespaces, this.cuts[uplink], up);
      this.carriers[uplink] = up;
    });
    this.changes = change.catch(() => {});
    return change;
  }

  exec(role: Role, file: string, args: readonly string[]): Promise<CommandOutput> {
    this.assertAlive();
    // iproute2 enters the namespace itself (`-n`), cheaper than `ip netns exec`.
    if (file === 'ip' || file === 'tc') return run(file, ['-n', this.namespaces[role], ...args]);
    return run('ip', ['netns', 'exec', this.namespaces[role], file, ...args]);
  }

  spawn(role: Role, file: string, args: readonly string[]): ChildProcess {
    this.assertAlive();
    const child = spawn('ip', ['netns', 'exec', this.namespaces[role], file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.changes;
    await Promise.all([...this.children].map((child) => stopChild(child)));
    await deleteNamespaces(Object.values(this.namespaces));
  }

  private assertAlive(): void {
    if (this.destroyed) throw new SimDataPlaneError(SIM_DATAPLANE_ERROR_CODES.DESTROYED, 'the data plane was destroyed');
  }
}

/** SIGTERM, then SIGKILL if the child has not exited after a grace period. */
export function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Deletes namespaces after stopping any process still inside them (a namespace outlives its name
 * while a process holds it, and so would its devices). Only namespaces we made are passed here.
 */
async function deleteNamespaces(names: readonly string[]): Promise<void> {
  const existing = new Set(parseNetnsList((await tryRun('ip', ['netns', 'list']))?.stdout ?? ''));
  const present = names.filter((name) => existing.has(name));
  if (present.length === 0) return;
  await Promise.all(
    present.map(async (name) => {
      const pids = ((await tryRun('ip', ['netns', 'pids', name]))?.stdout ?? '').split(/\s+/).filter((p) => /^\d+$/.test(p));
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }),
  );
  // A batch stops at its first failure (a namespace that vanished meanwhile): then one by one.
  await runIpBatch(null, present.map((name) => ['netns', 'del', name])).catch(async () => {
    for (const name of present) await tryRun('ip', ['netns', 'del', name]);
  });
}

/**
 * Removes the namespaces of earlier runs with this prefix whose owning process is gone (a
 * crashed test or bench). Namespaces of live processes, and anything without our prefix, stay.
 * Returns the names it removed.
 */
export async function removeLeftovers(prefix: string = DEFAULT_PREFIX): Promise<string[]> {
  const listed = parseNetnsList((await tryRun('ip', ['netns', 'list']))?.stdout ?? '');
  const stale = listed
    .map((name) => parseNamespaceName(prefix, name))
    .filter((parsed) => parsed !== null && parsed.pid !== process.pid && !isProcessAlive(parsed.pid))
    .map((parsed) => parsed!.name);
  await deleteNamespaces(stale);
  return stale;
}

/** Namespaces with this prefix that belong to this process (tests check that none remain). */
export async function ownNamespaces(prefix: string = DEFAULT_PREFIX): Promise<string[]> {
  const listed = parseNetnsList((await tryRun('ip', ['netns', 'list']))?.stdout ?? '');
  return listed.filter((name) => parseNamespaceName(prefix, name)?.pid === process.pid);
}
