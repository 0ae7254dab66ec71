// The pure business rules of R12-R24 (issue 6): data in, data out, time passed in. The API and
// storage round imports from here. No I/O, no clock reads, no timers.
export * from './actor.js';
export * from './business-calendar.js';
export * from './calendar-config.js';
export * from './contract-config.js';
export * from './contract-end.js';
export * from './contract.js';
export * from './coverage.js';
export * from './entitlements.js';
export * from './errors.js';
export * from './guarantee-timeline.js';
export * from './guarantee.js';
export * from './helpdesk-routing.js';
export * from './phone-number.js';
export * from './suspension.js';
export * from './swap-return.js';
export * from './swap-sla.js';
export * from './swap-ticket.js';
export * from './time.js';
