// The agent's typed errors: one class, a code per cause, so callers branch on `code` and logs
// and exit messages stay stable. Modem errors live in agent/modem (ModemError).

export const AGENT_ERROR_CODES = {
  /** R1: the router is not a supported FRITZ!Box model. */
  UNSUPPORTED_ROUTER: 'unsupported-router',
  /** TR-064: the box did not answer in time, refused the connection or answered garbage. */
  ROUTER_UNREACHABLE: 'router-unreachable',
  /** TR-064: the box rejected our credentials (HTTP 401 after a fresh challenge). */
  ROUTER_AUTH: 'router-auth',
  /** TR-064: a SOAP fault (UPnPError) from the box. */
  ROUTER_FAULT: 'router-fault',
  /** TR-064: the description document lacks a service the agent needs. */
  ROUTER_SERVICE_MISSING: 'router-service-missing',
  /** A state file could not be written. */
  STATE_WRITE: 'state-write',
} as const;

export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[keyof typeof AGENT_ERROR_CODES];

export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAgentError(error: unknown, code?: AgentErrorCode): error is AgentError {
  return error instanceof AgentError && (code === undefined || error.code === code);
}

/** A one-line description of anything thrown, for logs and evidence. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
