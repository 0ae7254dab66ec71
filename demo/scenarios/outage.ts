// `serviceplus demo --scenario outage`: the story of an outage, told by the running system.
// The DSL line is cut through the NOC's demo panel; the router fails over to the stick; the
// customer asks for a boost on the self-service page's API; the router applies it and the
// confirmation mail goes out (R6); the boost ends by itself (R5, shortened for the demo); the
// line comes back and, after a stable spell, the router fails back (R2).
import type { DeviceView } from '../../server/services/views.js';
import { callApi } from '../http-client.js';
import type { Observer } from '../observer.js';
import { until, type ScenarioStep } from '../scenario.js';
import type { DemoStack } from '../stack.js';

export interface OutageContext {
  readonly stack: DemoStack;
  readonly observer: Observer;
  /** Filled in as the story goes. */
  readonly memo: { knownEvents?: Set<string>; customerToken?: string; boostId?: string };
}

type Boost = { id: string; status: string; endReason: string | null; endsAt: string; grantedAt: string };

const device = (c: OutageContext): DeviceView | null => c.observer.view.device;
const rates = (d: DeviceView | null) => (d?.profile.applied ? `${d.profile.applied.downKbps}/${d.profile.applied.upKbps} kbit/s` : 'no profile');
const describe = (c: OutageContext): string => {
  const d = device(c);
  if (!d) return 'the router has not reported yet';
  return `presence ${d.presence?.state ?? 'unknown'}, path ${d.path ?? 'unknown'}, stick ${d.signal?.modemState ?? 'unknown'}, profile ${d.profile.applied?.name ?? 'none'} ${rates(d)}`;
};
/** An event of this type that was not there before the step began. */
const newEvent = (c: OutageContext, type: string) => c.observer.view.events.find((e) => e.type === type && !c.memo.knownEvents?.has(e.id));
const remember = (c: OutageContext) => {
  c.memo.knownEvents = new Set(c.observer.view.events.map((e) => e.id));
};

async function driveSim(c: OutageContext, action: Record<string, unknown>, signal: AbortSignal): Promise<string> {
  remember(c);
  const answer = await callApi<{ simulator: { dsl: string } }>(c.stack.server.url, 'POST', '/api/v1/demo/sim', { token: c.stack.operatorToken, body: action, signal });
  return `POST /api/v1/demo/sim ${JSON.stringify(action)}: the simulated line is ${answer.body.simulator.dsl}`;
}

async function boostNow(c: OutageContext, signal: AbortSignal): Promise<Boost> {
  const answer = await callApi<Boost>(c.stack.server.url, 'GET', `/api/v1/boosts/${c.memo.boostId!}`, { token: c.memo.customerToken!, signal });
  return answer.body;
}

export interface OutageTiming {
  /** The demo's boost length (R5 is 24 hours in production). */
  readonly boostSeconds: number;
  /** Stable DSL before failback (30 s in production). */
  readonly failbackSeconds: number;
}

export function outageScenario(timing: OutageTiming): ScenarioStep<OutageContext>[] {
  return [
    {
      name: 'ready',
      deadlineMs: 60_000,
      explain: describe,
      async run(c, signal) {
        const d = await until(signal, () => {
          const v = device(c);
          return v?.presence?.state === 'online' && v.path === 'dsl' && v.signal?.modemState === 'registered' ? v : null;
        });
        const radio = [d.signal?.technology?.toUpperCase(), d.signal?.dbm == null ? null : `${d.signal.dbm} dBm`].filter(Boolean).join(', ');
        return `router online on DSL; stick registered, in standby${radio ? ` (${radio})` : ''}`;
      },
    },
    {
      name: 'DSL cut',
      deadlineMs: 10_000,
      run: (c, signal) => driveSim(c, { action: 'dsl', state: 'down' }, signal),
    },
    {
      name: 'failover',
      deadlineMs: 30_000,
      explain: describe,
      async run(c, signal) {
        const event = await until(signal, () => (device(c)?.path === 'mobile' ? newEvent(c, 'failover') : null));
        return `the server has the router on mobile (failover event: ${String(event.details['reason'])}); ${rates(device(c))}`;
      },
    },
    {
      name: 'boost requested',
      deadlineMs: 15_000,
      async run(c, signal) {
        const { server, customer } = c.stack;
        const session = await callApi<{ token: string }>(server.url, 'POST', '/api/v1/sessions', { body: { login: customer.login, password: customer.password }, signal });
        c.memo.customerToken = session.body.token;
        const answer = await callApi<{ boost: Boost; quota: { used: number; limit: number } }>(
          server.url,
          'POST',
          `/api/v1/subscriptions/${customer.subscriptionId}/boosts`,
          { token: session.body.token, body: { email: customer.email }, expect: [201], signal },
        );
        c.memo.boostId = answer.body.boost.id;
        remember(c);
        const seconds = Math.round((Date.parse(answer.body.boost.endsAt) - Date.parse(answer.body.boost.grantedAt)) / 1000);
        return `${customer.login} logged in and asked for a boost: HTTP ${answer.status}, ${answer.body.quota.used} of ${answer.body.quota.limit} this month, lasts ${seconds} s`;
      },
    },
    {
      name: 'boost applied',
      deadlineMs: 30_000,
      explain: describe,
      async run(c, signal) {
        await until(signal, async () => (await boostNow(c, signal)).status === 'applied', 250);
        const raised = await until(signal, () => {
          const applied = device(c)?.profile.applied;
          return applied?.name === 'boost' && applied.boostId === c.memo.boostId ? applied : null;
        });
        const mail = await until(signal, () => c.stack.mailer.sent.find((m) => m.to === c.stack.customer.email));
        return `the router acked it: ${raised.downKbps}/${raised.upKbps} kbit/s; confirmation mail to ${mail.to} ("${mail.subject}")`;
      },
    },
    {
      name: 'boost expired',
      deadlineMs: (timing.boostSeconds + 30) * 1000,
      explain: describe,
      async run(c, signal) {
        const ended = await until(signal, async () => {
          const boost = await boostNow(c, signal);
          return boost.status === 'ended' ? boost : null;
        }, 250);
        const back = await until(signal, () => {
          const applied = device(c)?.profile.applied;
          return applied?.name === 'baseline' ? applied : null;
        });
        return `the boost ended (${ended.endReason ?? '?'}); the router is back on ${back.downKbps}/${back.upKbps} kbit/s`;
      },
    },
    {
      name: 'DSL back',
      deadlineMs: 10_000,
      run: (c, signal) => driveSim(c, { action: 'dsl', state: 'up' }, signal),
    },
    {
      name: 'failback',
      deadlineMs: (timing.failbackSeconds + 30) * 1000,
      explain: describe,
      async run(c, signal) {
        await until(signal, () => (device(c)?.path === 'dsl' ? newEvent(c, 'failback') : null));
        const usage = device(c)?.usage;
        const used = usage ? `${(usage.totalBytes / 1_000_000).toFixed(1)} MB` : 'none reported yet';
        return `the server has the router on DSL again (failback after ${timing.failbackSeconds} s of stable DSL); mobile data this month: ${used}`;
      },
    },
  ];
}
