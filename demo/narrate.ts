// The live timeline's sentences: what changed between two views of the server, in plain words.
// Pure, so it is tested without running anything.
import type { DemoView, EventView } from './observer.js';

export function narrate(previous: DemoView, next: DemoView): string[] {
  const lines: string[] = [];
  const before = previous.device;
  const now = next.device;
  if (now) {
    const wasOnline = before?.presence?.state === 'online';
    const isOnline = now.presence?.state === 'online';
    if (isOnline && !wasOnline) lines.push(`router online${now.path ? `, on ${pathName(now.path)}` : ''}`);
    if (!isOnline && wasOnline) lines.push(`router offline${now.presence?.reason ? ` (${now.presence.reason})` : ''}`);
    const stick = now.signal;
    if (stick && stick.modemState !== before?.signal?.modemState) {
      lines.push(`stick ${stick.modemState}${stick.modemState === 'registered' || stick.modemState === 'connected' ? signalText(stick.technology, stick.dbm) : ''}`);
    } else if (stick && before?.signal && stick.dbm !== before.signal.dbm && stick.modemState !== 'absent') {
      lines.push(`stick signal ${stick.dbm === null ? 'lost' : `${stick.dbm} dBm`}`);
    }
  }
  const seen = new Set(previous.events.map((event) => event.id));
  for (const event of next.events) if (!seen.has(event.id)) lines.push(eventText(event));

  const earlier = new Map(previous.boosts.map((boost) => [boost.id, boost]));
  for (const boost of [...next.boosts].reverse()) {
    const old = earlier.get(boost.id);
    if (!old) lines.push(`boost ${boost.status} (${boost.kind}${boost.counted ? ', counted' : ''}), ends ${clock(boost.endsAt)}`);
    else if (old.status !== boost.status) {
      lines.push(`boost ${boost.status}${boost.endReason ? ` (${boost.endReason})` : ''}`);
    }
  }
  return lines;
}

export function eventText(event: EventView): string {
  const d = event.details;
  switch (event.type) {
    case 'failover':
    case 'failback':
    case 'outage':
      return `${event.type}: ${String(d['from'])} → ${String(d['to'])} (${String(d['reason'])})`;
    case 'modem-lost':
      return `stick lost (${String(d['reason'])})`;
    case 'modem-found':
      return `stick found${d['model'] ? ` (${[d['manufacturer'], d['model']].filter(Boolean).join(' ')})` : ''}`;
    case 'modem-reset':
      return `stick recovery: ${String(d['step'])} (${String(d['reason'])})`;
    case 'profile-applied':
      return `router applied the ${String(d['profile'])} profile: ${String(d['downKbps'])}/${String(d['upKbps'])} kbit/s${typeof d['until'] === 'string' ? ` until ${clock(d['until'])}` : ''}`;
    case 'profile-expired':
      return `the ${String(d['profile'])} profile expired on the router`;
    case 'fair-use':
      return `fair use: ${String(d['thresholdPercent'])} % of the month's mobile data used`;
    default:
      return `event ${event.type}`;
  }
}

function pathName(path: string): string {
  return path === 'none' ? 'no connection' : path === 'dsl' ? 'DSL' : 'mobile';
}

function signalText(technology: string | null, dbm: number | null): string {
  const parts = [technology?.toUpperCase(), dbm === null ? null : `${dbm} dBm`].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** HH:MM:SS of an ISO instant, in this machine's time zone. */
export function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}
