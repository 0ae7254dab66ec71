// The rules' calendars, built once per server config (a calendar caches its openings per date).
import type { ServerConfig } from '../config.js';
import { createBusinessCalendar, type BusinessCalendar } from '../rules/business-calendar.js';

export interface Calendars {
  /** R13/R14: the swap SLA counts in these hours. */
  readonly swap: BusinessCalendar;
  /** R18: the business helpdesk's hours. */
  readonly helpdesk: BusinessCalendar;
}

const built = new WeakMap<ServerConfig, Calendars>();

export function calendarsOf(config: ServerConfig): Calendars {
  let calendars = built.get(config);
  if (!calendars) {
    calendars = { swap: createBusinessCalendar(config.swapCalendar), helpdesk: createBusinessCalendar(config.helpdeskCalendar) };
    built.set(config, calendars);
  }
  return calendars;
}
