// Seeded randomness for fault and soak tests: the seed comes from SP_TEST_SEED or the time, and
// is printed, so a failing run can be repeated exactly (SP_TEST_SEED=<seed> npx tap <file>).
import { seededRandom as fromSeed, type Random } from '../../../firmware-sim/random.js';

export function seededRandom(t: { comment(...args: unknown[]): void }, what: string): Random {
  const raw = process.env['SP_TEST_SEED'];
  const seed = raw && Number.isSafeInteger(Number(raw)) ? Number(raw) : Date.now() % 2 ** 31;
  t.comment(`${what}: seed ${seed} (repeat with SP_TEST_SEED=${seed})`);
  return fromSeed(seed);
}
