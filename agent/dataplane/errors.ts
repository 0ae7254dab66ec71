// Typed errors of the agent's data plane (routes, shaping, blocking). This folder imports only
// shared/, so it keeps its own error class in the style of agent/errors.ts.

export const DATAPLANE_ERROR_CODES = {
  /** `ip` or `tc` exited non-zero for a reason not listed below. */
  COMMAND_FAILED: 'dataplane-command-failed',
  /** A device named in the configuration does not exist (yet): a stick's ppp0 or wwan0 appears with its session. */
  DEVICE_MISSING: 'dataplane-device-missing',
  /** The kernel lacks a qdisc, classifier, action or device type the shaper needs (htb, tbf, u32, mirred, ifb). */
  KERNEL_UNSUPPORTED: 'dataplane-kernel-unsupported',
  /** iproute2 is not installed, or a command did not finish in time. */
  TOOL_UNAVAILABLE: 'dataplane-tool-unavailable',
  /** A value given to the data plane is out of bounds (rates, names). */
  BAD_INPUT: 'dataplane-bad-input',
  /** `ip`/`tc` printed something this module cannot read. */
  UNREADABLE_STATE: 'dataplane-unreadable-state',
} as const;

export type DataPlaneErrorCode = (typeof DATAPLANE_ERROR_CODES)[keyof typeof DATAPLANE_ERROR_CODES];

export class DataPlaneError extends Error {
  override readonly name = 'DataPlaneError';
  constructor(
    readonly code: DataPlaneErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDataPlaneError(error: unknown, code?: DataPlaneErrorCode): error is DataPlaneError {
  return error instanceof DataPlaneError && (code === undefined || error.code === code);
}
