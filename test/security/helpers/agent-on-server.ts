// The real agent against the real server (not the stand-in of the agent tests): the firmware
// simulator as its FRITZ!Box and stick, a loopback "internet" for its probes, and the
// credentials the server issued at enrollment. Stopped at teardown, agent first.
import type { Test } from 'tap';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../firmware-sim/index.js';
import type { Logger } from '../../../shared/log.js';
import { silentLogger } from '../../../shared/log.js';
import { loadAgentConfig } from '../../../agent/config.js';
import { startAgent, type RunningAgent } from '../../../agent/main.js';
import type { DeviceCredentials } from '../../../server/services/devices.js';
import { startFakeInternet } from '../../agent/helpers/fake-internet.js';
import { TEST_SETTINGS } from '../../agent/helpers/agent-rig.js';
import { tempDir } from '../../agent/helpers/temp.js';

export interface AgentOnServer {
  readonly agent: RunningAgent;
  readonly sim: Simulator;
}

export async function startAgentOnServer(
  t: Test,
  credentials: DeviceCredentials,
  options: { readonly settings?: Record<string, unknown>; readonly sim?: SimulatorOptions; readonly log?: Logger } = {},
): Promise<AgentOnServer> {
  const closers: Array<() => Promise<unknown>> = [];
  t.teardown(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  });
  const sim = await startSimulator({ control: null, ...options.sim, stick: options.sim?.stick ?? { latencyScale: 0.2 } });
  closers.push(async () => sim.close());
  const internet = await startFakeInternet(3);
  closers.push(() => internet.close());
  const config = loadAgentConfig({
    env: {},
    overrides: {
      routerUrl: sim.router!.url,
      routerUsername: sim.router!.username,
      routerPassword: sim.router!.password,
      devicePath: sim.stick!.devicePath,
      deviceId: credentials.deviceId,
      mqttUrl: credentials.mqttUrl,
      deviceSecret: credentials.password,
      dataDir: await tempDir(t, 'sp-agent-sec-'),
      probeTargets: internet.targets,
      ...TEST_SETTINGS,
      ...options.settings,
    },
  });
  const agent = await startAgent(config, { log: options.log ?? silentLogger() });
  closers.push(() => agent.stop());
  return { agent, sim };
}
