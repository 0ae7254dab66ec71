// Whether this machine can run the simulated data plane: Linux, root (network namespaces need
// CAP_SYS_ADMIN and CAP_NET_ADMIN), iproute2, and veth in the kernel. Tests skip with `reason`
// where it says no; the probe makes and removes one namespace with one veth pair in it.
import { tryRun } from './run.js';

export type DataPlaneSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let cached: Promise<DataPlaneSupport> | undefined;

export function dataPlaneSupport(): Promise<DataPlaneSupport> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<DataPlaneSupport> {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces need Linux (this is ${process.platform})` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, reason: 'network namespaces need root (run the tests as root, as CI does)' };
  }
  if (!(await tryRun('ip', ['-V']))) return { ok: false, reason: 'iproute2 is not installed (no `ip` command)' };
  if (!(await tryRun('tc', ['-V']))) return { ok: false, reason: 'iproute2 is incomplete (no `tc` command)' };
  const name = `spdpprobe-${process.pid}`;
  if (!(await tryRun('ip', ['netns', 'add', name]))) return { ok: false, reason: '`ip netns add` failed (no permission for network namespaces?)' };
  try {
    const veth = await tryRun('ip', ['-n', name, 'link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1']);
    if (!veth) return { ok: false, reason: 'the kernel has no veth support' };
    return { ok: true };
  } finally {
    await tryRun('ip', ['netns', 'del', name]);
  }
}
