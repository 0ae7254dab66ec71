// The simulator's optional data plane: real packets in Linux network namespaces, with the DSL
// line and the stick's data session as link states. Needs root and iproute2.
export { createDataPlane, removeLeftovers, ownNamespaces, type DataPlane, type DataPlaneOptions, type Uplink } from './topology.js';
export { dataPlaneSupport, type DataPlaneSupport } from './support.js';
export { bridgeIntoNamespace, type Bridge } from './bridge.js';
export { CarrierFollower } from './follow.js';
export { ADDRESSES, DEVICES, type DslCut } from './layout.js';
export { DEFAULT_PREFIX, ROLES, type Role } from './names.js';
export { SIM_DATAPLANE_ERROR_CODES, SimDataPlaneError, type SimDataPlaneErrorCode } from './run.js';
export {
  startTool,
  TOOL_PATH,
  type ToolSpec,
  type RunningTool,
  type EchoReport,
  type ProbeReport,
  type BulkReport,
  type RelayReport,
  type ConnectResult,
} from './traffic/control.js';
export { longestGap, percentile, kbps, deviation, type Gap } from './traffic/stats.js';
