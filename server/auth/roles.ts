// Operator roles: NOC (watches the fleet, enrolls routers), helpdesk (customers, boosts beyond
// the quota, suspension), admin (everything, tokens), and telephony: the phone system's
// integration, which may only ask whether a caller is a ServicePlus customer (R18).
export const OPERATOR_ROLES = ['noc', 'helpdesk', 'admin', 'telephony'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
