// The services of the service rules R12-R24 (issue 6), built together from one context. The
// composition root hands `swapTickets` to DeviceService (a replacement router's enrollment) and
// `coverage` to TelemetryService (which status reports to keep).
import { ContractService } from './contracts.js';
import type { ServiceContext } from './context.js';
import { CoverageService } from './coverage.js';
import { EntitlementService } from './entitlements.js';
import { GuaranteeService } from './guarantee.js';
import { HelpdeskService } from './helpdesk.js';
import { SuspensionService } from './suspensions.js';
import { SwapTicketService } from './swap-tickets.js';

export interface RuleServices {
  readonly swapTickets: SwapTicketService;
  readonly contracts: ContractService;
  readonly coverage: CoverageService;
  readonly guarantee: GuaranteeService;
  readonly suspensions: SuspensionService;
  readonly helpdesk: HelpdeskService;
  readonly entitlements: EntitlementService;
}

export function buildRuleServices(ctx: ServiceContext): RuleServices {
  const coverage = new CoverageService(ctx);
  return {
    swapTickets: new SwapTicketService(ctx),
    contracts: new ContractService(ctx, coverage),
    coverage,
    guarantee: new GuaranteeService(ctx),
    suspensions: new SuspensionService(ctx),
    helpdesk: new HelpdeskService(ctx),
    entitlements: new EntitlementService(ctx),
  };
}
