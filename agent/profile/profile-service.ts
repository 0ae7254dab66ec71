// Applies the desired profile from the server to the stick and enforces its end locally: a boost
// falls back to the baseline at `until` (R5) with or without a server connection, across agent
// restarts (the state is on disk); suspended (R22) turns mobile data off. Operations run one at
// a time, in arrival order.
import { z } from 'zod';
import type { Clock } from '../../shared/clock.js';
import { decodeMessage, IdSchema, type Ack, type AppliedProfile } from '../../shared/contract/index.js';
import { ExpiryQueue } from '../../shared/expiry-queue.js';
import type { Logger } from '../../shared/log.js';
import type { ProfileName, Rates } from '../../shared/service.js';
import type { Modem } from '../modem/api.js';
import { describeError } from '../errors.js';
import { ModemError } from '../modem/errors.js';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file.js';
import { effectiveProfile, grantedInFull, HeldDesiredSchema, holdDesired, judgeDesired, type Effective, type HeldDesired } from './policy.js';

const RatesSchema = z.object({ downKbps: z.number().int().nonnegative(), upKbps: z.number().int().nonnegative() });

const ProfileFileSchema = z.object({
  v: z.literal(1),
  lastAppliedSeq: z.number().int().nonnegative(),
  lastRejectedSeq: z.number().int().nonnegative(),
  held: HeldDesiredSchema.nullable(),
  /** The seq whose boost end was already announced (so a restart does not announce it twice). */
  expiredSeq: z.number().int().nonnegative().nullable(),
  negotiated: RatesSchema.nullable(),
  /**
   * The held desired state is taken but not yet acked: the stick was not ready for its rates. The
   * ack goes when the stick takes them (R6: a boost counts as applied, and its confirmation mail
   * is sent, only once the speed has been raised).
   */
  ackPending: z.boolean().default(false),
});
type ProfileFile = z.infer<typeof ProfileFileSchema>;

export type ProfileEvent =
  | { readonly type: 'profile-applied'; readonly at: number; readonly seq: number; readonly profile: ProfileName; readonly downKbps: number; readonly upKbps: number; readonly until: number | null; readonly boostId: string | null }
  | { readonly type: 'profile-expired'; readonly at: number; readonly seq: number; readonly profile: ProfileName; readonly boostId: string | null };

export type AckReport = Omit<Ack, 'v'>;

export interface ProfileServiceOptions {
  readonly modem: Modem;
  readonly clock: Clock;
  readonly log: Logger;
  readonly file: string;
  /** R9 policy: hold the baseline while the fair-use cap is reached (default true). */
  readonly holdBaselineAtCap: boolean;
  readonly sendAck: (ack: AckReport) => Promise<void>;
  readonly sendEvent: (event: ProfileEvent) => Promise<void>;
  /** Something the status shows changed. */
  readonly onChange: () => void;
}

const EXPIRY_KEY = 'profile';

export class ProfileService {
  private state: ProfileFile;
  private capReached = false;
  private needsAssert = true;
  private chain: Promise<void> = Promise.resolve();
  private readonly expiries: ExpiryQueue<string>;
  private unsubscribe: (() => void) | null = null;

  private constructor(
    private readonly options: ProfileServiceOptions,
    state: ProfileFile,
  ) {
    this.state = state;
    this.expiries = new ExpiryQueue(options.clock, () => this.enqueue('expiry', () => this.expireIfDue()));
  }

  static async open(options: ProfileServiceOptions): Promise<ProfileService> {
    const loaded = await readJsonFile(options.file, ProfileFileSchema);
    if (loaded.kind === 'invalid') options.log.error({ file: options.file, error: loaded.error }, 'profile state unreadable; starting from the baseline');
    const state: ProfileFile =
      loaded.kind === 'loaded' ? loaded.value : { v: 1, lastAppliedSeq: 0, lastRejectedSeq: 0, held: null, expiredSeq: null, negotiated: null, ackPending: false };
    return new ProfileService(options, state);
  }

  /** Puts the held profile into force: ends a boost whose time passed while the agent was down. */
  start(): void {
    const { modem } = this.options;
    this.unsubscribe = modem.on((event) => {
      if (event.type === 'found') this.needsAssert = true;
      const ready = event.type === 'state' && (event.snapshot.state === 'registered' || event.snapshot.state === 'connected');
      if (ready && this.needsAssert) this.enqueue('re-assert', () => this.assertRates());
    });
    modem.setDataAllowed(!(this.state.held?.suspended ?? false));
    this.enqueue('start', async () => {
      await this.expireIfDue();
      this.scheduleExpiry();
      await this.assertRates();
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.expiries.stop();
    await this.chain;
  }

  /** A payload from the `desired` topic; never throws (a bad one is refused in an ack). */
  handleDesired(payload: Uint8Array | string): Promise<void> {
    return this.enqueue('desired', () => this.onDesired(payload));
  }

  /** R9: the meter reached (or, in a new period, left) the fair-use cap. */
  setCapReached(reached: boolean): Promise<void> {
    return this.enqueue('cap', async () => {
      if (reached === this.capReached) return;
      const before = this.effective();
      this.capReached = reached;
      const after = this.effective();
      if (before.name === after.name) return;
      this.options.log.info({ profile: after.name, capReached: reached }, 'fair-use cap changes the profile in force (R9)');
      await this.assertRates();
      await this.announceApplied(after);
      this.options.onChange();
    });
  }

  /** The rates in force (what the stick is asked for, and what local shaping holds the line to). */
  rates(): Rates {
    return this.effective().rates;
  }

  dataAllowed(): boolean {
    return !(this.state.held?.suspended ?? false);
  }

  /** The profile in force, as the status reports it. */
  applied(): AppliedProfile {
    const eff = this.effective();
    const negotiated = this.options.modem.snapshot().negotiated ?? this.state.negotiated ?? eff.rates;
    return {
      name: eff.name,
      seq: eff.seq,
      downKbps: negotiated.downKbps,
      upKbps: negotiated.upKbps,
      until: eff.until === null ? null : new Date(eff.until).toISOString(),
      boostId: eff.boostId !== null && IdSchema.safeParse(eff.boostId).success ? eff.boostId : null,
      suspended: eff.suspended,
    };
  }

  private effective(): Effective {
    return effectiveProfile(this.state.held, this.options.clock.now(), this.options.holdBaselineAtCap && this.capReached);
  }

  private enqueue(what: string, task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      this.options.log.error({ err: describeError(error), what }, 'profile operation failed');
    });
    return this.chain;
  }

  private async onDesired(payload: Uint8Array | string): Promise<void> {
    const now = this.options.clock.now();
    const decoded = decodeMessage('desired', payload);
    if (!decoded.ok) {
      const raw = peekSeq(payload);
      if (raw === null || raw.seq === this.state.lastRejectedSeq || raw.seq === this.state.lastAppliedSeq) {
        this.options.log.warn({ error: decoded.error }, 'desired state refused and not answerable (no new seq)');
        return;
      }
      await this.reject(raw.seq, raw.boostId, decoded.error);
      return;
    }
    const held = holdDesired(decoded.value);
    if (held.seq === this.state.lastRejectedSeq) return; // a replay of one already refused
    const verdict = judgeDesired(held, { lastSeq: this.state.lastAppliedSeq, now, capHold: this.options.holdBaselineAtCap && this.capReached });
    if (verdict.kind === 'ignore') {
      this.options.log.debug({ seq: held.seq }, verdict.why);
      return;
    }
    if (verdict.kind === 'reject') {
      await this.reject(held.seq, held.boostId, verdict.reason);
      return;
    }
    await this.take(held);
  }

  private async take(held: HeldDesired): Promise<void> {
    const { modem, clock, log } = this.options;
    const eff = effectiveProfile(held, clock.now(), this.options.holdBaselineAtCap && this.capReached);
    modem.setDataAllowed(!held.suspended); // R22
    let negotiated: Rates | null = null;
    try {
      negotiated = await modem.requestRates(eff.rates);
      this.needsAssert = false;
    } catch (error) {
      this.needsAssert = true;
      if (!held.suspended && stickNotReady(error)) {
        // The stick is starting, restarting or unplugged: the profile is held and put to the stick
        // when it is next ready (the re-assert in start()), and acked then. Refusing would leave
        // the router on a state nobody wants; acking now would confirm a speed not yet raised (R6).
        this.state = { ...this.state, lastAppliedSeq: held.seq, held, ackPending: true };
        await this.persist();
        log.info({ seq: held.seq, profile: eff.name, stick: (error as ModemError).code }, 'desired state held until the stick is ready');
        this.scheduleExpiry();
        this.options.onChange();
        return;
      }
      if (!held.suspended) {
        await this.reject(held.seq, held.boostId, `the stick did not take the rates: ${describeError(error)}`);
        return;
      }
      // suspended: data is off, which is what counts
    }
    this.state = { ...this.state, lastAppliedSeq: held.seq, held, negotiated: negotiated ?? this.state.negotiated, ackPending: false };
    await this.acknowledgeApplied(held, eff, negotiated);
    this.scheduleExpiry();
    this.options.onChange();
  }

  /** Acks the held desired state as applied, records it, and announces the profile. */
  private async acknowledgeApplied(held: HeldDesired, eff: Effective, negotiated: Rates | null): Promise<void> {
    const short = negotiated !== null && !grantedInFull(eff.rates, negotiated);
    await this.options.sendAck({
      at: new Date(this.options.clock.now()).toISOString(),
      seq: held.seq,
      outcome: 'applied',
      ...(short ? { reason: `the network granted ${negotiated.downKbps}/${negotiated.upKbps} of ${eff.rates.downKbps}/${eff.rates.upKbps} kbit/s` } : {}),
      boostId: safeId(held.boostId),
      applied: negotiated,
    });
    await this.persist();
    this.options.log.info({ seq: held.seq, profile: eff.name, negotiated, suspended: held.suspended }, 'desired state applied');
    await this.announceApplied(eff, negotiated);
  }

  private async reject(seq: number, boostId: string | null, reason: string): Promise<void> {
    this.options.log.warn({ seq, reason }, 'desired state rejected');
    await this.options.sendAck({
      at: new Date(this.options.clock.now()).toISOString(),
      seq,
      outcome: 'rejected',
      reason: reason.slice(0, 200),
      boostId: safeId(boostId),
      applied: null,
    });
    this.state = { ...this.state, lastRejectedSeq: seq };
    await this.persist();
  }

  /** R5: the boost's time is up: back to the baseline, announced once. */
  private async expireIfDue(): Promise<void> {
    const held = this.state.held;
    const now = this.options.clock.now();
    if (!held || held.profile !== 'boost' || held.until === null || held.until > now || this.state.expiredSeq === held.seq) return;
    this.options.log.info({ seq: held.seq, boostId: held.boostId, until: new Date(held.until).toISOString() }, 'boost ended; back to the baseline (R5)');
    this.state = { ...this.state, expiredSeq: held.seq };
    await this.assertRates();
    await this.persist();
    await this.options.sendEvent({ type: 'profile-expired', at: now, seq: held.seq, profile: 'boost', boostId: safeId(held.boostId) });
    this.options.onChange();
  }

  private scheduleExpiry(): void {
    const held = this.state.held;
    if (held?.profile === 'boost' && held.until !== null && this.state.expiredSeq !== held.seq) this.expiries.schedule(EXPIRY_KEY, held.until);
    else this.expiries.cancel(EXPIRY_KEY);
  }

  /** Asks the stick for the rates in force; on failure, tries again when the stick is next ready. */
  private async assertRates(): Promise<void> {
    const eff = this.effective();
    try {
      const negotiated = await this.options.modem.requestRates(eff.rates);
      this.needsAssert = false;
      if (negotiated) this.state = { ...this.state, negotiated };
      const held = this.state.held;
      if (this.state.ackPending && held) {
        this.state = { ...this.state, ackPending: false };
        await this.acknowledgeApplied(held, eff, negotiated);
      }
    } catch (error) {
      this.needsAssert = true;
      this.options.log.warn({ err: describeError(error), rates: eff.rates }, 'rates not requested yet; will retry when the stick is ready');
    }
  }

  private async announceApplied(eff: Effective, negotiated: Rates | null = null): Promise<void> {
    const rates = negotiated ?? this.options.modem.snapshot().negotiated ?? eff.rates;
    await this.options.sendEvent({
      type: 'profile-applied',
      at: this.options.clock.now(),
      seq: eff.seq,
      profile: eff.name,
      downKbps: rates.downKbps,
      upKbps: rates.upKbps,
      until: eff.until,
      boostId: safeId(eff.boostId),
    });
  }

  private async persist(): Promise<void> {
    await writeFileAtomic(this.options.file, JSON.stringify(this.state));
  }
}

/** The stick cannot be asked right now (starting, restarting, unplugged): not a refusal of the rates. */
function stickNotReady(error: unknown): boolean {
  return error instanceof ModemError && (['absent', 'closed', 'open-failed', 'timeout', 'stopped'] as const).some((code) => code === error.code);
}

function safeId(id: string | null): string | null {
  return id !== null && IdSchema.safeParse(id).success ? id : null;
}

/** The seq (and boost id) of a desired payload the schema refused, to answer it. */
function peekSeq(payload: Uint8Array | string): { seq: number; boostId: string | null } | null {
  try {
    const json: unknown = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
    if (!json || typeof json !== 'object') return null;
    const { seq, boostId } = json as { seq?: unknown; boostId?: unknown };
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq <= 0) return null;
    return { seq, boostId: typeof boostId === 'string' ? safeId(boostId) : null };
  } catch {
    return null;
  }
}
