// The connectivity probe: a quorum of TCP connects, against real loopback listeners.
import { createServer, type AddressInfo, type Server } from 'node:net';
import t from 'tap';
import { defaultQuorum, judgeRound, ProbeTargetSchema, runProbeRound } from '../../../agent/dsl/probe.js';

async function listener(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

t.test('a round passes with a quorum, never on one target alone', async (t) => {
  const ok = (target: string) => ({ target, failure: null });
  const no = (target: string) => ({ target, failure: 'refused' });
  t.equal(defaultQuorum(1), 1);
  t.equal(defaultQuorum(3), 2);
  t.equal(defaultQuorum(4), 3);
  t.match(judgeRound([ok('a:1'), ok('b:1'), no('c:1')], 2), { passed: true, reachable: 2, evidence: '2/3 targets reachable (c:1 refused)' });
  t.match(judgeRound([ok('a:1'), no('b:1'), no('c:1')], 2), { passed: false, reachable: 1 });
});

t.test('targets: host:port, IPv6 in brackets, bad ones refused', async (t) => {
  t.same(ProbeTargetSchema.parse('1.1.1.1:443'), { host: '1.1.1.1', port: 443 });
  t.same(ProbeTargetSchema.parse('[2606:4700::1111]:443'), { host: '2606:4700::1111', port: 443 });
  t.same(ProbeTargetSchema.parse('example.net:80'), { host: 'example.net', port: 80 });
  t.notOk(ProbeTargetSchema.safeParse('1.1.1.1').success);
  t.notOk(ProbeTargetSchema.safeParse('host:70000').success);
});

t.test('real connects: listening targets pass, closed ones are refused', async (t) => {
  const a = await listener();
  const b = await listener();
  const c = await listener();
  const targets = [a, b, c].map((l) => ({ host: '127.0.0.1', port: l.port }));
  t.match(await runProbeRound(targets, 2, { timeoutMs: 2_000 }), { passed: true, reachable: 3 });
  await new Promise((resolve) => c.server.close(resolve));
  t.match(await runProbeRound(targets, 2, { timeoutMs: 2_000 }), { passed: true, reachable: 2, evidence: /refused/ });
  await new Promise((resolve) => b.server.close(resolve));
  t.match(await runProbeRound(targets, 2, { timeoutMs: 2_000 }), { passed: false, reachable: 1 });
  await new Promise((resolve) => a.server.close(resolve));
});
