// Every command the stick knows, by name. A name not here gets the firmware's "unknown
// command" answer (ERROR, or COMMAND NOT SUPPORT on older firmwares).
import { BASIC_COMMANDS, sRegister } from './basic.js';
import { DATA_COMMANDS } from './data.js';
import { FLOW_COMMANDS } from './flow.js';
import { NETWORK_COMMANDS } from './network.js';
import { QOS_COMMANDS } from './qos.js';
import { SIM_COMMANDS } from './sim.js';
import type { CommandSpec } from './types.js';

const TABLE: Readonly<Record<string, CommandSpec>> = {
  ...BASIC_COMMANDS,
  ...SIM_COMMANDS,
  ...NETWORK_COMMANDS,
  ...DATA_COMMANDS,
  ...QOS_COMMANDS,
  ...FLOW_COMMANDS,
};

export function lookupCommand(name: string): CommandSpec | null {
  const spec = TABLE[name];
  if (spec) return spec;
  const s = /^S(\d+)$/.exec(name);
  return s ? sRegister(Number(s[1])) : null;
}
