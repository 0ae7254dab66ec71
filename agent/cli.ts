// `serviceplus agent`: not built yet; issue 4 builds the agent.
export const help = `Usage: serviceplus agent [options]

The router agent: watches DSL over TR-064, drives the UMTS stick over AT commands, fails over,
meters mobile data and applies throttle profiles from the control plane over MQTT.

Not built yet: issue 4 builds it. This stub exits with code 2.`;

export async function run(): Promise<number> {
  process.stderr.write('serviceplus agent: not built yet (issue 4)\n');
  return 2;
}
