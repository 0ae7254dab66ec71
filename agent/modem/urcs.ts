// The unsolicited codes the modem listens to, each parsed by the dialect and turned into a
// machine input (or, for ^DSFLOWRPT, a counters event). Codes known to be harmless are
// registered as ignored so the log shows only the ones nobody expected.
import type { Logger } from '../../shared/log.js';
import type { DataCounters } from './api.js';
import type { AtChannel } from './channel/at-channel.js';
import { parseDsflowRpt, parseNdisStat } from './huawei/data.js';
import { parseModeUrc, parseRegistration, parseRssiUrc } from './huawei/network.js';
import { parseSimstUrc } from './huawei/sim.js';
import type { Urc } from './machine/types.js';

export interface UrcSinks {
  readonly onInput: (urc: Urc) => void;
  readonly onCounters: (counters: Omit<DataCounters, 'readAt'>) => void;
  readonly logger: Logger;
}

/** Periodic or call-related codes the modem has no use for. */
const IGNORED = ['^BOOT', '^SRVST', '^HCSQ', '^CSNR', '^RSSILVL', '^STIN', '^ORIG', '^CONF', '^CONN', '^CEND', '^SMMEMFULL', 'RING'];

export function registerUrcs(channel: AtChannel, sinks: UrcSinks): void {
  const unreadable = (line: string): void => sinks.logger.debug({ tag: line.slice(0, 16) }, 'unreadable unsolicited code ignored');
  const handle = (tag: string, toUrc: (line: string) => Urc | null): void => {
    channel.onUrc(tag, (line) => {
      const urc = toUrc(line);
      if (urc) sinks.onInput(urc);
      else unreadable(line);
    });
  };

  handle('^RSSI', (line) => {
    const parsed = parseRssiUrc(line);
    return parsed ? { type: 'signal', dbm: parsed.dbm } : null;
  });
  handle('^MODE', (line) => {
    const parsed = parseModeUrc(line);
    return parsed ? { type: 'mode', technology: parsed.technology } : null;
  });
  for (const tag of ['+CREG', '+CGREG']) {
    handle(tag, (line) => {
      const parsed = parseRegistration(line);
      return parsed ? { type: 'registration', domain: parsed.domain, registration: parsed.registration } : null;
    });
  }
  handle('^NDISSTAT', (line) => {
    const parsed = parseNdisStat(line);
    return parsed ? { type: 'session', connected: parsed.connected, cause: parsed.cause } : null;
  });
  handle('+CGEV', (line) => (/DETACH/i.test(line) ? { type: 'detach' } : null));
  channel.onUrc('^SIMST', (line) => {
    const state = parseSimstUrc(line);
    if (state === 255 || state === 1) sinks.onInput({ type: 'sim', present: state === 1 });
  });
  channel.onUrc('^DSFLOWRPT', (line) => {
    const report = parseDsflowRpt(line);
    if (!report) return unreadable(line);
    sinks.onCounters({
      sessionTxBytes: report.txBytes,
      sessionRxBytes: report.rxBytes,
      sessionSeconds: report.seconds,
      totalTxBytes: null,
      totalRxBytes: null,
    });
  });
  for (const tag of IGNORED) channel.onUrc(tag, () => {});
}
