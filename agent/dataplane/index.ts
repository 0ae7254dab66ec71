// The agent's data plane: routes, shaping and R11 blocking on Linux with iproute2. The agent's
// failover code calls applyPath, its profile code applyShaping; see controller.ts.
export {
  createDataPlaneController,
  MIN_KBPS,
  MAX_KBPS,
  type DataPlaneController,
  type DataPlaneState,
  type ApplyResult,
  type ShaperCounters,
  type ControllerDeps,
} from './controller.js';
export { dataPlaneConfigSchema, type DataPlaneConfig, type DataPlaneConfigInput } from './config.js';
export { DEFAULT_BLOCKED_TRAFFIC, blockRuleSchema, policyRules, type BlockRule, type PolicyRule } from './blocking.js';
export { DATAPLANE_ERROR_CODES, DataPlaneError, isDataPlaneError, type DataPlaneErrorCode } from './errors.js';
export { createCommandRunner, type CommandRunner, type RunnerOptions } from './runner.js';
export { shapingTarget } from './shaping-target.js';
export { hangUpAfterRoute } from './hang-up.js';
