// R19-R21, R24: the contract's figures as configuration, the source's values as defaults.
import { z } from 'zod';

export const ContractConfigSchema = z.object({
  /** R19: "U gaat een contract aan voor 1 jaar". */
  minimumTermMonths: z.number().int().min(0).max(60).default(12),
  /** R19: "hebt u een opzegtermijn van 1 maand". */
  noticeMonths: z.number().int().min(0).max(12).default(1),
  /** R21: "binnen 30 dagen na het ontvangen van de ServicePlus bestelling". */
  annulmentDays: z.number().int().min(0).max(365).default(30),
  /** R20: "binnen 14 dagen aan ons retourneren". */
  kitReturnDays: z.number().int().min(0).max(365).default(14),
  /** R24: "uiterlijk 1 week na het bestellen geleverd". */
  deliveryDays: z.number().int().min(0).max(90).default(7),
});
export type ContractConfig = z.output<typeof ContractConfigSchema>;
export const DEFAULT_CONTRACT_CONFIG: ContractConfig = ContractConfigSchema.parse({});
