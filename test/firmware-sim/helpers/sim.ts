// Starts a simulator for one test and stops it at the end of that test.
import type { Test } from 'tap';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../firmware-sim/index.js';
import { AtPort } from './at-port.js';

export async function simulator(t: Test, options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ control: null, ...options });
  t.teardown(() => sim.close());
  return sim;
}

/** A simulator with an instant stick (no router) and an open port with echo off. */
export async function stickWithPort(t: Test, stick: NonNullable<SimulatorOptions['stick']> = {}, extra: Omit<SimulatorOptions, 'stick'> = {}): Promise<{ sim: Simulator; port: AtPort }> {
  const sim = await simulator(t, { router: false, ...extra, stick: { latencyScale: 0, ...stick } });
  const port = await AtPort.open(sim.stick!.devicePath);
  t.teardown(() => port.close());
  await port.command('ATE0');
  return { sim, port };
}
