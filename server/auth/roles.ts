// Operator roles: NOC (watches the fleet, enrolls routers), helpdesk (customers, boosts beyond
// the quota, suspension), admin (everything, tokens).
export const OPERATOR_ROLES = ['noc', 'helpdesk', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
