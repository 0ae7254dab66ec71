// One simulated router for the soak: the agent's real uplink (light agent: mqtt.js and the
// on-disk outbox), its real profile service (desired state by seq, ack, expiry by itself, R5)
// and its real meter (state file, usage reports, R9) over a fake stick whose counters the soak
// drives. What the simulated side counted (`counted`) is what the server must end up with.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestClock } from '../../../shared/clock.js';
import type { Ack } from '../../../shared/contract/messages.js';
import type { Logger } from '../../../shared/log.js';
import { MeterService } from '../../../agent/meter/meter-service.js';
import { ProfileService, type ProfileEvent } from '../../../agent/profile/profile-service.js';
import { fairUseEvent, profileEvent } from '../../../agent/status/events.js';
import { randomIds } from '../../../agent/status/ids.js';
import { startLightAgent, type LightAgent } from '../../../bench/lib/light-agent.js';
import type { DeviceCredentials } from '../../../server/services/devices.js';
import { status } from '../../fixtures/messages.js';
import { FakeModem } from '../../agent/helpers/fake-modem.js';

export interface SoakAgent {
  readonly deviceId: string;
  readonly modem: FakeModem;
  readonly profile: ProfileService;
  readonly meter: MeterService;
  readonly light: LightAgent;
  /** Every ack and profile event the agent sent, in order. */
  readonly acks: Omit<Ack, 'v'>[];
  readonly events: ProfileEvent[];
  /** Bytes the simulated stick moved. */
  readonly counted: { up: number; down: number };
  path: 'dsl' | 'mobile';
  /** Until when (clock ms) the stick refuses QoS requests. */
  faultUntil: number;
  setPath(path: 'dsl' | 'mobile'): void;
  traffic(up: number, down: number): void;
  stop(): Promise<void>;
}

export async function startSoakAgent(credentials: DeviceCredentials, clock: TestClock, dir: string, log: Logger): Promise<SoakAgent> {
  await mkdir(dir, { recursive: true });
  const modem = new FakeModem();
  modem.clock = clock;
  modem.setState('connected');
  const acks: SoakAgent['acks'] = [];
  const events: ProfileEvent[] = [];
  let profile!: ProfileService;
  let lastStatusAt = 0;
  const light = await startLightAgent({
    url: credentials.mqttUrl,
    deviceId: credentials.deviceId,
    secret: credentials.password,
    dataDir: dir,
    log,
    onDesired: (payload) => void profile.handleDesired(payload),
    connect: false,
  });
  profile = await ProfileService.open({
    modem,
    clock,
    log,
    file: join(dir, 'profile.json'),
    holdBaselineAtCap: true,
    sendAck: async (ack) => {
      acks.push(ack);
      await light.uplink.send('acks', { v: 1, ...ack });
    },
    sendEvent: async (event) => {
      events.push(event);
      await light.uplink.send('events', profileEvent(event, randomIds));
    },
    onChange: () => {},
  });
  const meter = await MeterService.open({
    modem,
    clock,
    log,
    file: join(dir, 'meter.json'),
    capBytes: 5_000_000_000,
    persistIntervalMs: 60_000,
    maxBytesPerSecond: 450_000,
    report: async (reports) => {
      for (const fairUse of reports.fairUse) await light.uplink.send('events', fairUseEvent(fairUse));
      for (const u of reports.usage) {
        await light.uplink.send('usage', { v: 1, at: new Date(u.at).toISOString(), period: u.period, seq: u.seq, upBytes: u.upBytes, downBytes: u.downBytes });
      }
    },
  });
  const agent: SoakAgent = {
    deviceId: credentials.deviceId,
    modem,
    profile,
    meter,
    light,
    acks,
    events,
    counted: { up: 0, down: 0 },
    path: 'dsl',
    faultUntil: 0,
    setPath(path) {
      agent.path = path;
      // Each status newer than the last (the server keeps the newest by `at`).
      lastStatusAt = Math.max(clock.now(), lastStatusAt + 1);
      const at = new Date(lastStatusAt).toISOString();
      light.uplink.setStatus(
        status({ at, activePath: path, pathSince: at, dsl: { state: path === 'dsl' ? 'up' : 'down', since: at, downKbps: null, upKbps: null }, profile: profile.applied() }),
      );
    },
    traffic(up, down) {
      agent.counted.up += up;
      agent.counted.down += down;
      modem.traffic(up, down, 60);
    },
    async stop() {
      await profile.stop();
      await meter.stop(1_000);
      await light.stop();
    },
  };
  // The stick refuses QoS requests while a fault lasts (the profile service then refuses the
  // desired state in its ack).
  modem.negotiate = (rates) => {
    if (clock.now() < agent.faultUntil) throw new Error('+CME ERROR: 100 (soak: stick fault)');
    return rates;
  };
  light.uplink.start();
  meter.start();
  profile.start();
  agent.setPath('dsl');
  return agent;
}
