// The boost benchmark's routers, in a process of their own: per device a simulated Huawei stick
// on a real pty (firmware-sim, with the latencyScale asked for), the agent's real modem stack on
// it (agent/modem, session up: the customer is on mobile), the agent's real profile service
// (agent/profile: applies the desired rates with +CGEQREQ/+CGCMOD/+CGEQNEG, persists its state,
// acks, announces) and the real uplink (agent/uplink). What the full agent adds (DSL watch,
// failover, meter, status) is left out: it is not on the path from `desired` to the ack.
//
// IPC in: { type: 'start', devices: [{ deviceId, password }], mqttUrl, latencyScale, dataDir }
//         { type: 'stop' }
// IPC out: { type: 'ready' } | { type: 'error', message }
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '../../shared/clock.js';
import { silentLogger } from '../../shared/log.js';
import { startSimulator } from '../../firmware-sim/index.js';
import { createModem, type Modem } from '../../agent/modem/index.js';
import { ProfileService } from '../../agent/profile/profile-service.js';
import { profileEvent } from '../../agent/status/events.js';
import { randomIds } from '../../agent/status/ids.js';
import { startLightAgent, type LightAgent } from './light-agent.js';

export interface BoostAgentsStart {
  readonly type: 'start';
  readonly devices: readonly { readonly deviceId: string; readonly password: string }[];
  readonly mqttUrl: string;
  readonly latencyScale: number;
  readonly dataDir: string;
}

interface Running {
  readonly sim: Awaited<ReturnType<typeof startSimulator>>;
  readonly modem: Modem;
  readonly profile: ProfileService;
  readonly agent: LightAgent;
}

const log = silentLogger();
const running: Running[] = [];

function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 50);
  });
}

async function startOne(device: BoostAgentsStart['devices'][number], start: BoostAgentsStart): Promise<Running> {
  const dir = join(start.dataDir, device.deviceId);
  await mkdir(dir, { recursive: true });
  const sim = await startSimulator({ router: false, control: null, stick: { latencyScale: start.latencyScale, dir } });
  const modem = createModem({ devicePath: sim.stick!.devicePath, apn: 'internet', clock: systemClock, logger: log });
  let profile!: ProfileService;
  const agent = await startLightAgent({
    url: start.mqttUrl,
    deviceId: device.deviceId,
    secret: device.password,
    dataDir: dir,
    log,
    onDesired: (payload) => void profile.handleDesired(payload),
    connect: false, // as the agent does: the profile service exists before anything arrives
  });
  profile = await ProfileService.open({
    modem,
    clock: systemClock,
    log,
    file: join(dir, 'profile.json'),
    holdBaselineAtCap: true,
    sendAck: (ack) => agent.uplink.send('acks', { v: 1, ...ack }),
    sendEvent: (event) => agent.uplink.send('events', profileEvent(event, randomIds)),
    onChange: () => {},
  });
  agent.uplink.start();
  void modem.start().catch(() => {});
  profile.start();
  modem.setSessionWanted(true);
  return { sim, modem, profile, agent };
}

async function start(message: BoostAgentsStart): Promise<void> {
  for (const device of message.devices) running.push(await startOne(device, message));
  await until('every stick in session and every uplink connected', () => running.every((r) => r.modem.snapshot().state === 'connected' && r.agent.uplink.isConnected()), 120_000);
}

async function stop(): Promise<void> {
  for (const r of running.splice(0)) {
    await r.profile.stop().catch(() => {});
    await r.agent.stop().catch(() => {});
    await r.modem.stop().catch(() => {});
    await r.sim.close().catch(() => {});
  }
}

process.on('message', (message: BoostAgentsStart | { type: 'stop' }) => {
  if (message.type === 'start') {
    start(message).then(
      () => process.send?.({ type: 'ready' }),
      (error: unknown) => process.send?.({ type: 'error', message: (error as Error).message }),
    );
  } else if (message.type === 'stop') {
    void stop().finally(() => process.exit(0));
  }
});
process.on('disconnect', () => void stop().finally(() => process.exit(0)));
