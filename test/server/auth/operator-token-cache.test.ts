// Operator tokens are remembered for OPERATOR_TOKEN_CACHE_MS after they resolve (issue 9); a
// revocation through the same instance takes effect at once, one made elsewhere (another server
// instance, the CLI) within that bound.
import t from 'tap';
import { TestClock } from '../../../shared/clock.js';
import { OPERATOR_TOKEN_CACHE_MS, OperatorTokens } from '../../../server/auth/operators.js';
import { openTestDatabase } from '../../helpers/database.js';

const ACTOR = { kind: 'system', id: 'test' } as const;

t.test('a token revoked here is refused at once; revoked by another instance, within the bound', async (t) => {
  const { handle } = await openTestDatabase(t);
  const clock = new TestClock();
  const here = new OperatorTokens(handle, clock);
  const elsewhere = new OperatorTokens(handle, clock); // another server instance on the same store
  const first = await here.create({ name: 'alice', role: 'noc' }, ACTOR);
  const second = await here.create({ name: 'bob', role: 'helpdesk' }, ACTOR);

  t.match(await here.resolve(first.token), { tokenId: first.row.id, name: 'alice', role: 'noc' });
  t.match(await here.resolve(second.token), { name: 'bob', role: 'helpdesk' });
  await here.revoke(first.row.id, ACTOR);
  t.equal(await here.resolve(first.token), null, 'revoked through this instance: refused at once');

  await elsewhere.revoke(second.row.id, ACTOR);
  clock.advance(OPERATOR_TOKEN_CACHE_MS - 1);
  t.match(await here.resolve(second.token), { name: 'bob' }, 'revoked elsewhere: still known here within the bound');
  clock.advance(1);
  t.equal(await here.resolve(second.token), null, 'and refused once the bound has passed');
  t.equal(await elsewhere.resolve(second.token), null);
});

t.test('unknown tokens are not remembered: a token created later resolves at once', async (t) => {
  const { handle } = await openTestDatabase(t);
  const clock = new TestClock();
  const tokens = new OperatorTokens(handle, clock);
  t.equal(await tokens.resolve('spo_not-a-token'), null);
  t.equal(await tokens.resolve('sps_a-session-token'), null, 'not an operator token at all');
  const { token } = await tokens.create({ name: 'carol', role: 'admin' }, ACTOR);
  t.match(await tokens.resolve(token), { name: 'carol', role: 'admin' });
});

t.test('last use is still written at most once a minute, cached or not', async (t) => {
  const { handle } = await openTestDatabase(t);
  const clock = new TestClock();
  const tokens = new OperatorTokens(handle, clock);
  const { row, token } = await tokens.create({ name: 'dave', role: 'noc' }, ACTOR);
  const lastUsed = async () => (await tokens.list()).find((r) => r.id === row.id)!.last_used_at;
  await tokens.resolve(token);
  const first = clock.now();
  t.equal(await lastUsed(), first);
  clock.advance(1_000);
  await tokens.resolve(token); // from the cache
  t.equal(await lastUsed(), first, 'not written again within the minute');
  clock.advance(60_000);
  await tokens.resolve(token);
  t.equal(await lastUsed(), clock.now(), 'written again after a minute');
});
