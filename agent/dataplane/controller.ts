// The agent's data plane: what failover and profile code call. applyPath moves the default route
// (R2), sets the R11 blocking rules, and keeps traffic from the DSL-side address (the probes)
// on DSL whatever the default route; applyShaping shapes the mobile uplink to a profile (R3,
// R4). Every call reads the kernel's state (`ip -j`, `tc -j`) and issues only the commands that
// converge it, so calling twice, or again after an agent restart, changes nothing and never
// duplicates a qdisc, route or rule. Calls run one at a time, in the order they were made.
import type { Path } from '../../shared/contract/messages.js';
import { silentLogger, type Logger } from '../../shared/log.js';
import type { Rates } from '../../shared/service.js';
import type { DataPlaneConfig } from './config.js';
import { DATAPLANE_ERROR_CODES, DataPlaneError } from './errors.js';
import { desiredRoute, parseArpRetrans, parseDefaultRoutesByTable, parseNeighbours, planArpRetrans, planRoute, routeCommand, tableId, type RouteFact } from './route-plan.js';
import { desiredRules, isBlocking, parseOurRules, planRules } from './rule-plan.js';
import { createCommandRunner, type CommandRunner } from './runner.js';
import { TREE, planEgress, planIngress, planLink, shapingTrees, type Command, type DeviceTc } from './shaping-plan.js';
import { parseClasses, parseFilters, parseLinks, qdiscsByDevice, rootCounters, type LinkFact, type QdiscFact } from './tc-state.js';

export interface ApplyResult {
  /** Commands run to converge (0: the kernel already had it). */
  readonly commands: number;
}

export interface ShaperCounters {
  /** What tc's root qdisc has sent on the wire, bytes and packets, since it was made. */
  readonly bytes: number;
  readonly packets: number;
  readonly drops: number;
}

export interface DataPlaneState {
  /** The path our default route points at; `none` when we have none. */
  readonly path: Path | 'other';
  /** Shaped rates read back from the kernel; null when not shaped. */
  readonly rates: Rates | null;
  /** Number of our blocking rules in place. */
  readonly blockingRules: number;
}

export interface DataPlaneController {
  /** R2: default route to this path's uplink (none: ours removed); R11: blocking rules on mobile only. */
  applyPath(path: Path): Promise<ApplyResult>;
  /** R3/R4: shapes the mobile uplink (download through the IFB, upload on egress); null removes it. */
  applyShaping(rates: Rates | null): Promise<ApplyResult>;
  /**
   * Applies the path and shaping last asked for again, in its turn after the calls before it.
   * Call it when the stick's session comes up: a ppp0 or a re-enumerated wwan0 is a new device
   * without our qdiscs and routes, and the gateway's ARP entry may have failed while there was
   * no carrier (cleared, so traffic flows at once).
   */
  reapply(): Promise<ApplyResult>;
  /** What is in the kernel now. */
  readState(): Promise<DataPlaneState>;
  /** tc's counters of the upload (mobile egress) and download (IFB) shapers; null when not shaped. */
  counters(): Promise<{ readonly upload: ShaperCounters | null; readonly download: ShaperCounters | null }>;
  /** Removes all of ours: default route, blocking rules, shaping, the IFB device. */
  clear(): Promise<void>;
}

export interface ControllerDeps {
  readonly runner?: CommandRunner;
  readonly logger?: Logger;
}

/** Rates this shaper accepts, in kbit/s (a UMTS stick tops out at 16 000). */
export const MIN_KBPS = 8;
export const MAX_KBPS = 100_000;

export function createDataPlaneController(config: DataPlaneConfig, deps: ControllerDeps = {}): DataPlaneController {
  const log = (deps.logger ?? silentLogger()).child({ component: 'dataplane' });
  const runner = deps.runner ?? createCommandRunner({ netns: config.netns, onCommand: (line) => log.debug({ command: line }, 'run') });
  const mobile = config.mobile.device;
  const ifb = config.ifbDevice;
  let queue: Promise<unknown> = Promise.resolve();
  /** The path in the kernel (after the last applyPath that succeeded). */
  let lastPath: Path | null = null;
  /** What was last asked for (reapply converges to it). */
  let wantedPath: Path | null = null;
  let wantedRates: Rates | null | undefined;

  /** One operation at a time, in call order; a failure does not block the next one. */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = queue.then(fn, fn);
    queue = result.catch(() => {});
    return result;
  }

  /**
   * Runs commands in order, each run of same-tool commands in one `-batch` process. Commands
   * allowed to fail (deletes of what may be gone already) go in `-force` batches whose failure
   * is ignored.
   */
  async function execute(commands: readonly Command[]): Promise<number> {
    let i = 0;
    while (i < commands.length) {
      const first = commands[i]!;
      const mayFail = first.mayFail === true;
      let end = i + 1;
      while (end < commands.length && (commands[end]!.mayFail === true) === mayFail && commands[end]!.tool === first.tool) end += 1;
      const group = commands.slice(i, end);
      const done = group.length === 1 ? runner.run(first.tool, first.args) : runner.runBatch(first.tool, group.map((c) => c.args), { force: mayFail });
      if (mayFail) await done.catch(() => {});
      else await done;
      i = end;
    }
    return commands.length;
  }

  /** Every device's link facts and qdiscs: one `ip` and one `tc` for the whole picture. */
  async function readDevices(): Promise<{ links: Map<string, LinkFact>; qdiscs: Map<string, QdiscFact[]> }> {
    const links = parseLinks(await runner.run('ip', ['link', 'show'], { flags: ['-j', '-d'] }));
    const qdiscs = qdiscsByDevice(await runner.run('tc', ['qdisc', 'show'], { flags: ['-j'] }));
    return { links, qdiscs };
  }

  async function readEgress(device: string, qdiscs: readonly QdiscFact[]): Promise<DeviceTc> {
    if (!qdiscs.some((q) => q.kind === 'htb' && q.handle === TREE.htb)) return { qdiscs, classes: [], filters: [] };
    const classes = parseClasses(await runner.run('tc', ['class', 'show', 'dev', device]));
    const filters = parseFilters(await runner.run('tc', ['filter', 'show', 'dev', device, 'parent', TREE.htb], { flags: ['-j'] }));
    return { qdiscs, classes, filters };
  }

  async function readIngressFilters(device: string, qdiscs: readonly QdiscFact[]) {
    if (!qdiscs.some((q) => q.kind === 'ingress')) return [];
    return parseFilters(await runner.run('tc', ['filter', 'show', 'dev', device, 'parent', TREE.ingress], { flags: ['-j'] }));
  }

  /** Reads once, plans everything, then runs the plan (in as few processes as it can). */
  async function convergeShaping(rates: Rates): Promise<number> {
    const { links, qdiscs } = await readDevices();
    const uplink = links.get(mobile);
    if (!uplink) throw new DataPlaneError(DATAPLANE_ERROR_CODES.DEVICE_MISSING, `the mobile uplink device ${mobile} does not exist`);
    const commands: Command[] = [];
    let ifbLink = links.get(ifb);
    if (!ifbLink) {
      commands.push({ tool: 'ip', args: ['link', 'add', ifb, 'type', 'ifb'] });
      // What a new IFB has: down, with the kernel's default segmentation limits.
      ifbLink = { name: ifb, kind: 'ifb', up: false, mtu: uplink.mtu, gsoMaxSize: 65536, gsoMaxSegs: 65535, groMaxSize: null };
    }
    const trees = shapingTrees(rates, uplink.mtu);
    const ifbQdiscs = qdiscs.get(ifb) ?? [];
    const mobileQdiscs = qdiscs.get(mobile) ?? [];
    commands.push(
      ...planLink(ifb, ifbLink, { ifb: true }),
      ...planLink(mobile, uplink, { ifb: false }),
      ...planEgress(ifb, await readEgress(ifb, ifbQdiscs), trees.download),
      ...planEgress(mobile, await readEgress(mobile, mobileQdiscs), trees.upload),
      // The root's replacement leaves the ingress hook alone: planned from the same reading.
      ...planIngress(mobile, mobileQdiscs, await readIngressFilters(mobile, mobileQdiscs), ifb),
    );
    return execute(commands);
  }

  async function removeShaping(): Promise<number> {
    const { links, qdiscs } = await readDevices();
    const commands: Command[] = [];
    const mobileQdiscs = qdiscs.get(mobile) ?? [];
    if (mobileQdiscs.some((q) => q.parent === 'root' && q.kind === 'tbf' && q.handle === TREE.tbf)) {
      commands.push({ tool: 'tc', args: ['qdisc', 'del', 'dev', mobile, 'root'], mayFail: true });
    }
    if (mobileQdiscs.some((q) => q.kind === 'ingress')) commands.push({ tool: 'tc', args: ['qdisc', 'del', 'dev', mobile, 'ingress'], mayFail: true });
    if (links.has(ifb)) commands.push({ tool: 'ip', args: ['link', 'del', ifb], mayFail: true });
    return execute(commands);
  }

  /** The default routes of every table (ours and others'; the planner tells them apart). */
  async function readDefaultRoutes(): Promise<{ main: RouteFact[]; source: RouteFact[] }> {
    const byTable = parseDefaultRoutesByTable(await runner.run('ip', ['route', 'show', 'table', 'all', 'exact', '0.0.0.0/0'], { flags: ['-j', '-N'] }));
    return { main: byTable.get(tableId(config.route.table)) ?? [], source: byTable.get(tableId(config.route.sourceTable)) ?? [] };
  }

  /** The path's default route and rules, and the DSL source routing; `clearing`: none of ours. */
  async function convergePath(path: Path, clearing = false): Promise<number> {
    let done = 0;
    const want = desiredRoute(path, config);
    if (want && lastPath !== null && lastPath !== path) {
      // A switch: the packets move with this one command (`replace` is idempotent and atomic);
      // reading and tidying up follow, off the critical path.
      done += await execute([routeCommand(want, config)]);
    }
    const sourceTable = String(config.route.sourceTable);
    const [{ main: routes, source: sourceRoutes }, rules, arp] = await Promise.all([
      readDefaultRoutes(),
      runner.run('ip', ['rule', 'show'], { flags: ['-j', '-N'] }).then((text) => parseOurRules(text, config.route.protocol)),
      runner.run('ip', ['ntable', 'show', 'name', 'arp_cache'], { flags: ['-j'] }).then(parseArpRetrans),
    ]);
    // The source table's DSL route may fail for now (a DSL device that is gone while its line is
    // down); the source rules' final `unreachable` then keeps that traffic off mobile meanwhile.
    const sourcePath: Path = config.dsl.source !== null && !clearing ? 'dsl' : 'none';
    const sourceRoute = planRoute(sourceRoutes, sourcePath, config, sourceTable).map((c) => ({ ...c, mayFail: true }));
    // The route first: on failover traffic moves at once, the rules follow within milliseconds.
    done += await execute([
      ...planRoute(routes, path, config),
      ...sourceRoute,
      ...planRules(rules, desiredRules(clearing ? null : path, config), config.route.protocol),
      ...(clearing ? [] : planArpRetrans(arp, config)),
    ]);
    return done + (await execute(await neighbourKick(path)));
  }

  /**
   * While an uplink has no carrier, the kernel's ARP for its gateway fails; when the carrier
   * returns it waits for its retransmit timer (up to a second) before asking again. Forgetting a
   * failed entry makes the next packet ask at once. Soft state: no effect on idempotence.
   */
  async function neighbourKick(path: Path): Promise<Command[]> {
    const uplink = path === 'dsl' ? config.dsl : path === 'mobile' ? config.mobile : null;
    if (!uplink?.gateway) return [];
    const entries = parseNeighbours(await runner.run('ip', ['neigh', 'show', 'to', uplink.gateway, 'dev', uplink.device], { flags: ['-j'] }));
    if (!entries.some((state) => state.includes('FAILED') || state.includes('INCOMPLETE'))) return [];
    return [{ tool: 'ip', args: ['neigh', 'del', uplink.gateway, 'dev', uplink.device], mayFail: true }];
  }

  /** Both shapers' counters from one `tc -s -j qdisc show`. */
  async function shaperCounters(): Promise<{ upload: ShaperCounters | null; download: ShaperCounters | null }> {
    const roots = rootCounters(await runner.run('tc', ['qdisc', 'show'], { flags: ['-s', '-j'] }));
    const of = (device: string): ShaperCounters | null => {
      const root = roots.get(device);
      return root && root.kind === 'tbf' ? { bytes: root.bytes, packets: root.packets, drops: root.drops } : null;
    };
    return { upload: of(mobile), download: of(ifb) };
  }

  async function pathNow(path: Path): Promise<ApplyResult> {
    const commands = await convergePath(path);
    lastPath = path;
    log.info({ path, commands }, commands > 0 ? 'path applied' : 'path already in place');
    return { commands };
  }

  async function shapingNow(rates: Rates | null): Promise<ApplyResult> {
    const commands = rates === null ? await removeShaping() : await convergeShaping(rates);
    log.info({ rates, commands }, commands > 0 ? 'shaping applied' : 'shaping already in place');
    return { commands };
  }

  const controller: DataPlaneController = {
    applyPath(path) {
      wantedPath = path;
      return serial(() => pathNow(path));
    },

    applyShaping(rates) {
      try {
        if (rates !== null) validateRates(rates);
      } catch (error) {
        return Promise.reject(error);
      }
      wantedRates = rates;
      return serial(() => shapingNow(rates));
    },

    reapply() {
      // Queued like every call, and it takes what was last asked for when its turn comes: called
      // while a path change is still queued, it must not undo it; after a change that failed (a
      // ppp0 that did not exist yet), it is that change which is tried again.
      return serial(async () => {
        let commands = 0;
        if (wantedPath !== null) commands += (await pathNow(wantedPath)).commands;
        if (wantedRates !== undefined) commands += (await shapingNow(wantedRates)).commands;
        return { commands };
      });
    },

    readState() {
      return serial(async () => {
        const routes = (await readDefaultRoutes()).main;
        const ours = routes.find((r) => r.protocol === config.route.protocol);
        const path: DataPlaneState['path'] = !ours ? 'none' : ours.dev === config.dsl.device ? 'dsl' : ours.dev === mobile ? 'mobile' : 'other';
        const rules = parseOurRules(await runner.run('ip', ['rule', 'show'], { flags: ['-j', '-N'] }), config.route.protocol);
        const { qdiscs } = await readDevices();
        const rateOf = (device: string) => {
          const root = (qdiscs.get(device) ?? []).find((q) => q.parent === 'root' && q.kind === 'tbf');
          return root ? Math.round((Number(root.options['rate']) * 8) / 1000) : null;
        };
        const [up, down] = [rateOf(mobile), rateOf(ifb)];
        return { path, rates: up !== null && down !== null ? { downKbps: down, upKbps: up } : null, blockingRules: rules.filter((r) => isBlocking(r.fact)).length };
      });
    },

    counters() {
      return serial(shaperCounters);
    },

    clear() {
      wantedPath = null;
      wantedRates = undefined;
      return serial(async () => {
        await removeShaping();
        await convergePath('none', true);
        lastPath = null;
        log.info('data plane cleared');
      });
    },
  };
  return controller;
}

function validateRates(rates: Rates): void {
  for (const [name, value] of [['downKbps', rates.downKbps], ['upKbps', rates.upKbps]] as const) {
    if (!Number.isInteger(value) || value < MIN_KBPS || value > MAX_KBPS) {
      throw new DataPlaneError(DATAPLANE_ERROR_CODES.BAD_INPUT, `${name} must be an integer from ${MIN_KBPS} to ${MAX_KBPS} kbit/s, got ${String(value)}`);
    }
  }
}
