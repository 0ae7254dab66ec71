// "Line up, no internet": a round of TCP connects to several targets, passing when a quorum
// answers (never one ping: one target down or one lost SYN must not look like an outage). A
// connect costs a few hundred bytes, and rounds run only while DSL may carry traffic, bound to
// the DSL side when `localAddress` is set, so they spend nothing on the mobile path.
import { connect } from 'node:net';
import { z } from 'zod';

export const ProbeTargetSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port (IPv6 in brackets)')
  .transform((text, ctx) => {
    const at = text.lastIndexOf(':');
    const host = text.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(text.slice(at + 1));
    if (port < 1 || port > 65_535) {
      ctx.addIssue({ code: 'custom', message: `port ${port} out of range` });
      return z.NEVER;
    }
    return { host, port };
  });
export type ProbeTarget = z.output<typeof ProbeTargetSchema>;

export interface ProbeRound {
  readonly passed: boolean;
  readonly reachable: number;
  readonly total: number;
  /** `2/3 targets reachable (1.1.1.1:443 refused)` */
  readonly evidence: string;
}

/** Majority by default: 2 of 3, 3 of 4. */
export function defaultQuorum(targets: number): number {
  return Math.floor(targets / 2) + 1;
}

/** Pure: the verdict of a round from each target's outcome (null = reachable, else why not). */
export function judgeRound(outcomes: ReadonlyArray<{ readonly target: string; readonly failure: string | null }>, quorum: number): ProbeRound {
  const reachable = outcomes.filter((o) => o.failure === null).length;
  const failed = outcomes.filter((o) => o.failure !== null).map((o) => `${o.target} ${o.failure}`);
  const evidence = `${reachable}/${outcomes.length} targets reachable${failed.length > 0 ? ` (${failed.join(', ')})` : ''}`;
  return { passed: reachable >= Math.min(quorum, outcomes.length), reachable, total: outcomes.length, evidence: evidence.slice(0, 180) };
}

export interface ProbeOptions {
  readonly timeoutMs: number;
  /** Source address on the DSL side, so probes never leave over mobile. */
  readonly localAddress?: string | undefined;
}

/** One TCP connect: null when it was accepted, else a short reason. Never throws. */
export function probeTarget(target: ProbeTarget, options: ProbeOptions): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
    const done = (failure: string | null) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(failure);
    };
    const timer = setTimeout(() => done(`no answer in ${options.timeoutMs} ms`), options.timeoutMs);
    socket.once('connect', () => done(null));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? 'refused' : (error.code ?? 'error').toLowerCase()));
  });
}

export async function runProbeRound(targets: readonly ProbeTarget[], quorum: number, options: ProbeOptions): Promise<ProbeRound> {
  const outcomes = await Promise.all(
    targets.map(async (target) => ({ target: `${target.host}:${target.port}`, failure: await probeTarget(target, options) })),
  );
  return judgeRound(outcomes, quorum);
}
