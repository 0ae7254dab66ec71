// Routers: enrollment (R1: supported models only) with per-device MQTT credentials shown once,
// credential rotation, and the device views the NOC reads. An enrollment that is the replacement
// of a router swap (R12) revokes the old router's credentials (the enrollment hook).
import { periodOf } from '../../shared/period.js';
import { SUPPORTED_MODELS, supportedModel } from '../../shared/service.js';
import { hashDeviceSecret, randomSalt, randomSecret } from '../auth/secrets.js';
import { isUniqueViolation, lockSubscription, writeTransaction } from '../db/transaction.js';
import { ApiError } from '../errors.js';
import { newDeviceId } from '../ids.js';
import { appendAudit, type Actor } from '../store/audit.js';
import { getDesired } from '../store/desired-states.js';
import { getDevice, insertDevice, listDevices, setCredentials, type DeviceFilter, type DeviceRow } from '../store/devices.js';
import { deviceState } from '../store/device-status.js';
import { deviceUsage, recentEvents } from '../store/telemetry.js';
import type { Db } from '../db/schema.js';
import type { ServiceContext } from './context.js';
import { recomputeDesired } from './desired-state.js';
import { deviceView, eventView, type DeviceView, type EventView } from './views.js';

/** What an agent needs to connect; the password is shown once and stored only as a hash. */
export interface DeviceCredentials {
  readonly deviceId: string;
  readonly mqttUrl: string;
  /** MQTT username and client id are both the device id. */
  readonly username: string;
  readonly clientId: string;
  readonly password: string;
}

export interface Enrollment {
  /** As TR-064 reports it, e.g. "FRITZ!Box 7490". */
  readonly model: string;
  readonly serialNumber?: string | undefined;
  /** Defaults to a generated `fb-…` id. */
  readonly deviceId?: string | undefined;
}

/** Runs inside the enrollment's transaction (R12: SwapTicketService); acts on its effects after commit. */
export interface EnrollmentHook<E> {
  replacementEnrolledIn(trx: Db, enrollment: { subscriptionId: string; deviceId: string; actor: Actor; now: number }): Promise<E>;
  afterCommit(effects: E): void;
}

export class DeviceService {
  constructor(
    private readonly ctx: ServiceContext,
    /** The broker URL agents are told to use. */
    private readonly mqttUrl: () => string,
    private readonly enrollmentHook?: EnrollmentHook<unknown>,
  ) {}

  async enroll(subscriptionId: string, request: Enrollment, actor: Actor): Promise<{ device: DeviceRow; credentials: DeviceCredentials }> {
    const { clock, store, effects } = this.ctx;
    const model = supportedModel(request.model);
    if (!model) {
      throw new ApiError('unsupported-model', `"${request.model}" is not a supported router; ServicePlus supports FRITZ!Box ${SUPPORTED_MODELS.join(', ')} (R1).`, {
        model: request.model,
        supportedModels: SUPPORTED_MODELS.map((m) => `FRITZ!Box ${m}`),
      });
    }
    const deviceId = request.deviceId ?? newDeviceId();
    const password = randomSecret(24);
    const salt = randomSalt();
    const now = clock.now();
    const device: DeviceRow = {
      id: deviceId,
      subscription_id: subscriptionId,
      model,
      model_name: request.model.trim(),
      serial_number: request.serialNumber ?? null,
      secret_hash: hashDeviceSecret(password, salt),
      secret_salt: salt,
      enrolled_at: now,
      credentials_at: now,
      revoked_at: null,
      presence: null,
      presence_at: null,
      presence_reason: null,
      last_seen_at: null,
      status_json: null,
      status_at: null,
      active_path: null,
    };
    let changed: string[];
    let hookEffects: unknown;
    try {
      ({ changed, hookEffects } = await writeTransaction(store, async (trx) => {
        if (!(await lockSubscription(trx, store.dialect, subscriptionId))) {
          throw new ApiError('subscription-not-found', `No subscription ${subscriptionId}.`);
        }
        if (await getDevice(trx, deviceId)) throw new ApiError('device-id-taken', `Device ${deviceId} is already enrolled.`);
        await insertDevice(trx, device);
        await appendAudit(trx, clock, { actor, action: 'device.enrolled', subscriptionId, subjectId: deviceId, details: { model: device.model_name } });
        const hookEffects = await this.enrollmentHook?.replacementEnrolledIn(trx, { subscriptionId, deviceId, actor, now });
        return { changed: await recomputeDesired(trx, subscriptionId, now), hookEffects };
      }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('device-id-taken', `Device ${deviceId} is already enrolled.`);
      throw error;
    }
    effects.desiredChanged(changed);
    if (hookEffects !== undefined) this.enrollmentHook?.afterCommit(hookEffects);
    return { device, credentials: this.credentialsFor(deviceId, password) };
  }

  /** New secret for a device (lost or leaked credentials, R22); its broker session is dropped. */
  async rotateCredentials(deviceId: string, actor: Actor): Promise<DeviceCredentials> {
    const { clock, store, effects } = this.ctx;
    const password = randomSecret(24);
    const salt = randomSalt();
    await writeTransaction(store, async (trx) => {
      const device = await getDevice(trx, deviceId);
      if (!device) throw new ApiError('device-not-found', `No device ${deviceId}.`);
      await setCredentials(trx, deviceId, { secretHash: hashDeviceSecret(password, salt), salt, at: clock.now() });
      await appendAudit(trx, clock, { actor, action: 'device.credentials-rotated', subscriptionId: device.subscription_id, subjectId: deviceId });
    });
    effects.credentialsChanged(deviceId);
    return this.credentialsFor(deviceId, password);
  }

  async get(deviceId: string): Promise<DeviceRow> {
    const device = await getDevice(this.ctx.store.db, deviceId);
    if (!device) throw new ApiError('device-not-found', `No device ${deviceId}.`);
    return device;
  }

  async view(device: DeviceRow): Promise<DeviceView> {
    const { db } = this.ctx.store;
    const period = periodOf(this.ctx.clock.now()).id;
    return deviceView(device, await getDesired(db, device.id), await deviceUsage(db, device.id, period));
  }

  /** One router with its most recent events (the device status route): two queries, not five. */
  async show(deviceId: string, events: number): Promise<DeviceView & { recentEvents: EventView[] }> {
    const { db } = this.ctx.store;
    const state = await deviceState(db, deviceId, periodOf(this.ctx.clock.now()).id);
    if (!state) throw new ApiError('device-not-found', `No device ${deviceId}.`);
    const view = deviceView(state.device, state.desired, state.usage);
    return { ...view, recentEvents: await this.events(deviceId, { limit: events }) };
  }

  async list(filter: DeviceFilter): Promise<DeviceView[]> {
    const rows = await listDevices(this.ctx.store.db, filter);
    return Promise.all(rows.map((row) => this.view(row)));
  }

  async events(deviceId: string, page: { limit: number; before?: number | undefined }) {
    const rows = await recentEvents(this.ctx.store.db, deviceId, page);
    return rows.map(eventView);
  }

  private credentialsFor(deviceId: string, password: string): DeviceCredentials {
    return { deviceId, mqttUrl: this.mqttUrl(), username: deviceId, clientId: deviceId, password };
  }
}
