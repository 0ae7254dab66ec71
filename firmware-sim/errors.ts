// Typed errors of the simulator's control surface (never thrown strings).

export type SimulatorErrorCode =
  | 'NO_SESSION' // traffic asked for while no data session is up
  | 'NOT_PLUGGED' // an operation that needs the stick plugged in
  | 'ALREADY_PLUGGED'
  | 'BAD_ARGUMENT' // a control value out of range
  | 'PTY_FAILED' // the pseudo-terminal could not be created
  | 'UNSUPPORTED_PLATFORM'
  | 'CLOSED'; // the simulator was closed

export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  constructor(
    readonly code: SimulatorErrorCode,
    message: string,
  ) {
    super(message);
  }
}
