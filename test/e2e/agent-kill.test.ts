// kill -9 of the agent mid-session: no reported usage is lost (the meter persists before it
// reports, and recovers the rest from the stick's counters) and no message waiting in the outbox
// is lost (it is on disk before it counts as sent). The agent runs as `serviceplus agent`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { startTestBroker } from '../helpers/broker.js';
import type { Usage } from '../../shared/contract/messages.js';
import { startAgentProcess, startRig, statusWhere, until } from '../agent/helpers/agent-rig.js';

const used = (u: Pick<Usage, 'upBytes' | 'downBytes'>) => u.upBytes + u.downBytes;

/** The messages in the agent's outbox file that are not marked delivered. */
async function pendingInOutbox(dataDir: string): Promise<Array<{ kind: string; message: { type?: string; id?: string } & Partial<Usage> }>> {
  const text = await readFile(join(dataDir, 'outbox.log'), 'utf8').catch(() => '');
  const pending = new Map<number, { kind: string; message: object }>();
  for (const line of text.split('\n')) {
    try {
      const record = JSON.parse(line) as { n?: number; k?: string; p?: string; d?: number };
      if (record.n !== undefined && record.k && record.p) pending.set(record.n, { kind: record.k, message: JSON.parse(record.p) as object });
      if (record.d !== undefined) pending.delete(record.d);
    } catch {
      // a torn line
    }
  }
  return [...pending.values()] as never;
}

t.test('kill -9 mid-session loses no reported usage and no pending outbox message', async (t) => {
  const rig = await startRig(t, { broker: await startTestBroker() });
  const stick = rig.sim.stick!;
  const first = startAgentProcess(rig);
  await statusWhere(rig, 'the agent on DSL', (s) => s.activePath === 'dsl' && s.modem.state === 'registered', 60_000);

  rig.sim.router!.setLine('down');
  await until('the mobile session', () => stick.snapshot().session, 30_000);
  stick.setLoad({ up: 1, down: 1 }); // traffic at the negotiated rate, both ways
  await rig.server.waitFor('usage growing', () => {
    const usage = rig.server.of('usage');
    return usage.length >= 3 && used(usage.at(-1)!) > used(usage[0]!) && usage.at(-1)!;
  });

  // The control plane goes out of reach; what happens now waits in the outbox.
  rig.proxy.cut();
  const lwt = await rig.server.waitFor('the Last Will', () => rig.server.of('presence').find((p) => p.state === 'offline'));
  t.equal(lwt.reason, 'connection-lost', 'the broker published the Last Will');
  rig.sim.router!.setLine('up');
  await until('a failback in the outbox', async () => (await pendingInOutbox(rig.dataDir)).some((p) => p.message.type === 'failback'), 30_000);
  stick.setLoad({ up: 0, down: 0 });
  rig.sim.router!.setLine('down');
  await until('a second failover in the outbox', async () => (await pendingInOutbox(rig.dataDir)).filter((p) => p.message.type === 'failover').length >= 1, 30_000);
  await until('the session again', () => stick.snapshot().session, 30_000);
  stick.setLoad({ up: 1, down: 1 });
  await until('usage in the outbox', async () => (await pendingInOutbox(rig.dataDir)).filter((p) => p.kind === 'usage').length >= 2, 30_000);

  first.child.kill('SIGKILL');
  t.equal(await first.exited, 'SIGKILL');
  stick.setLoad({ up: 0, down: 0 });
  const pending = await pendingInOutbox(rig.dataDir);
  const pendingEventIds = pending.filter((p) => p.kind === 'events').map((p) => p.message.id!);
  const reported = [...rig.server.of('usage'), ...pending.filter((p) => p.kind === 'usage').map((p) => p.message as Usage)];
  const mostReported = Math.max(...reported.map(used));
  const lastSeq = Math.max(...reported.map((u) => u.seq));
  t.ok(pendingEventIds.length >= 2, `events were waiting: ${pendingEventIds.join(', ')}`);

  // Back: the control plane is reachable again and systemd restarts the agent.
  rig.proxy.restore();
  const second = startAgentProcess(rig);
  for (const id of pendingEventIds) {
    await rig.server.waitFor(`event ${id} after the restart`, () => rig.server.of('events').some((e) => e.id === id), 60_000);
  }
  const eventOrder = rig.server.of('events').map((e) => e.id).filter((id) => pendingEventIds.includes(id));
  t.same([...new Set(eventOrder)], pendingEventIds, 'the waiting events arrived, in order');
  const after = await rig.server.waitFor('usage after the restart', () => rig.server.of('usage').find((u) => u.seq > lastSeq), 60_000);
  t.ok(used(after) >= mostReported, `usage after the restart (${used(after)}) is not below what was reported before (${mostReported})`);

  // A clean stop writes and reports the final figure: exactly what the stick counted.
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0, 'a clean stop');
  const counters = stick.snapshot().counters;
  const last = rig.server.of('usage').at(-1)!;
  t.same({ up: last.upBytes, down: last.downBytes }, { up: counters.totalTxBytes, down: counters.totalRxBytes }, 'every byte the stick counted, none twice');
  t.same(rig.server.refused, []);
});
