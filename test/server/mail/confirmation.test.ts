// R6: the confirmation e-mail goes out when the router confirmed the boost, not when it was
// requested; through the outbox to a real SMTP server (smtp-server on a loopback port), with
// retries, and never twice.
import t from 'tap';
import type { TestClock } from '../../../shared/clock.js';
import { listOutbox } from '../../../server/store/outbox.js';
import { testDatabase } from '../../helpers/database.js';
import { ackDesired, connectedRouter, login, seed } from '../helpers/fixtures.js';
import { startTestServer } from '../helpers/server.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { waitFor } from '../helpers/wait.js';

t.test('confirmation mail', async (t) => {
  const sink = await startSmtpSink(t);
  const ts = await startTestServer(t, await testDatabase(t), { broker: 'env', config: { smtpUrl: sink.url, mailFrom: 'ServicePlus <noreply@isp.example>' } });
  const clock = ts.clock as TestClock;
  const outbox = () => listOutbox(ts.server.services.store.db, { limit: 100 });

  async function boostFor(email: string) {
    const seeded = await seed(ts);
    const router = await connectedRouter(t, ts, seeded, 'mobile');
    const token = await login(ts, seeded.login);
    const response = await ts.call('POST', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token, body: { email } });
    t.equal(response.statusCode, 201);
    return { seeded, router, token, boost: response.json().boost as { id: string; endsAt: string } };
  }

  t.test('sent only after the router acknowledged the boost, and only once', async (t) => {
    const email = 'first@example.nl';
    const { router, token, boost } = await boostFor(email);
    const desired = await router.nextDesired((d) => d.boostId === boost.id);
    await ts.server.jobs.drainOutbox();
    t.equal(sink.received.filter((m) => m.to.includes(email)).length, 0, 'nothing while the boost is only requested');
    t.equal((await outbox()).length, 0, 'nothing queued either');

    await ackDesired(router, (d) => d.seq === desired.seq);
    const mail = await sink.waitForMail((m) => m.to.includes(email), 'the confirmation');
    t.match(mail.from, 'noreply@isp.example');
    t.match(mail.raw, /Subject: ServicePlus: your mobile speed has been raised/);
    t.match(mail.raw, /3\.6 Mbit\/s down/);
    t.match(mail.raw, new RegExp(`Reference: ${boost.id}`));
    t.equal((await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token })).json().status, 'applied');

    await ackDesired(router, (d) => d.seq === desired.seq); // the same ack again
    await router.publish('events', { v: 1, id: `marker-${boost.id}`, at: new Date(clock.now()).toISOString(), type: 'modem-lost', reason: 'marker' });
    await waitFor(async () => (await ts.call('GET', `/api/v1/devices/${router.deviceId}`, { token: ts.tokens.noc })).json().recentEvents.length > 0, 'the marker');
    await ts.server.jobs.drainOutbox();
    t.equal(sink.received.filter((m) => m.to.includes(email)).length, 1, 'a repeated ack sends nothing more');
  });

  t.test('an SMTP failure is retried from the outbox', async (t) => {
    const email = 'retry@example.nl';
    sink.refuseNext(1);
    const { router, boost } = await boostFor(email);
    await ackDesired(router, (d) => d.boostId === boost.id);
    const failed = await waitFor(async () => (await outbox()).find((m) => m.to_address === email && m.attempts === 1), 'a failed attempt');
    t.equal(failed.status, 'pending');
    t.match(failed.last_error, /451|try again/);
    await ts.server.jobs.drainOutbox();
    t.equal(sink.received.filter((m) => m.to.includes(email)).length, 0, 'not before its retry time');
    clock.advance(60_000);
    await ts.server.jobs.drainOutbox();
    await sink.waitForMail((m) => m.to.includes(email), 'the retried mail');
    t.match((await outbox()).find((m) => m.to_address === email), { status: 'sent', attempts: 2 });
  });

  t.test('a rejected boost sends nothing, does not count, and the baseline returns', async (t) => {
    const email = 'rejected@example.nl';
    const { seeded, router, token, boost } = await boostFor(email);
    const desired = await ackDesired(router, (d) => d.boostId === boost.id, 'rejected');
    await router.nextDesired((d) => d.profile === 'baseline' && d.seq === desired.seq + 1, 'the baseline again');
    const view = (await ts.call('GET', `/api/v1/boosts/${boost.id}`, { token })).json();
    t.match(view, { status: 'rejected', endReason: 'rejected', counted: false });
    const quota = (await ts.call('GET', `/api/v1/subscriptions/${seeded.subscriptionId}/boosts`, { token })).json().quota;
    t.equal(quota.used, 0, 'R7: a boost that never happened is not counted');
    await ts.server.jobs.drainOutbox();
    t.equal(sink.received.filter((m) => m.to.includes(email)).length, 0);
  });
});
