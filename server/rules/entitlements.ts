// R17, R18, R22: what a subscription entitles its customer to, from its contract phase and
// suspension. Decisions: the business helpdesk is available from sign-up (R18: "Bij het
// afsluiten van ServicePlus wordt uw telefoonnummer geregistreerd") until the contract has
// ended; the rest from delivery until the end. A suspension turns off mobile data, boosts and
// the online guarantee (an outage with mobile data off is not the service failing), not the
// helpdesk or the licences. Licence seats: 10 by default (R17), configurable, and per
// subscription when the caller gives an override.
import { z } from 'zod';
import { LICENCE_SEATS } from '../../shared/service.js';
import type { ContractPhase } from './contract.js';
import { suspensionEffects, type SuspensionState } from './suspension.js';

export const EntitlementsConfigSchema = z.object({
  /** R17: security-software licence seats per subscription (5 from the ISP + 5 from ServicePlus). */
  licenceSeats: z.number().int().min(0).max(1000).default(LICENCE_SEATS),
});
export type EntitlementsConfig = z.output<typeof EntitlementsConfigSchema>;
export const DEFAULT_ENTITLEMENTS_CONFIG: EntitlementsConfig = EntitlementsConfigSchema.parse({});

export interface Entitlements {
  readonly licenceSeats: number;
  readonly businessHelpdesk: boolean;
  readonly modemSwap: boolean;
  readonly onlineGuarantee: boolean;
  readonly mobileData: boolean;
  readonly boosts: boolean;
}

export interface EntitlementsInput {
  readonly phase: ContractPhase;
  readonly suspension: SuspensionState;
  /** A seat count agreed for this subscription; null or absent = the configured default. */
  readonly licenceSeatsOverride?: number | null;
}

export function entitlementsOf(input: EntitlementsInput, config: EntitlementsConfig = DEFAULT_ENTITLEMENTS_CONFIG): Entitlements {
  const inService = input.phase === 'minimum-term' || input.phase === 'continued' || input.phase === 'ending';
  const effects = suspensionEffects(input.suspension);
  return {
    licenceSeats: inService ? (input.licenceSeatsOverride ?? config.licenceSeats) : 0,
    businessHelpdesk: input.phase !== 'ended',
    modemSwap: inService,
    onlineGuarantee: inService && effects.mobileData,
    mobileData: inService && effects.mobileData,
    boosts: inService && effects.boostsAllowed,
  };
}
