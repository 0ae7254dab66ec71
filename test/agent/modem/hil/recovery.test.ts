// Hardware in the loop: the modem recovers by itself from an unplugged stick, a hung stick
// (along the ladder) and a stick that cannot register (+COPS=0, then +CFUN=1,1 with USB
// re-enumeration), bringing the session back while it is wanted.
import type { RecoveryStep } from '../../../../agent/modem/index.js';
import { hilTest, isState } from '../helpers/hil.js';

/** Short budgets so a silent stick is noticed in a fraction of a second, not seconds. */
const FAST = {
  timeouts: { commandMs: 500, cfunMs: 500, dialMs: 500 },
  timing: { standbyPollMs: 200, searchPollMs: 100, devicePollMs: 50 },
  recovery: { backoff: { initialMs: 50, factor: 2, maxMs: 400 } },
};

hilTest('unplugged while connected: lost, then found, and the session is back', { modem: FAST }, async (t, { stick, modem, until, untilEvent, events }) => {
  modem.setSessionWanted(true);
  await until(isState('connected'), 'connected');
  await stick.unplug();
  const gone = await until(isState('absent'), 'absent');
  t.match(gone, { registration: null, signalDbm: null, identity: null, negotiated: null, sessionWanted: true });
  await untilEvent((e) => e.type === 'lost', 'lost event');
  await stick.replug();
  await until(isState('connected'), 'connected again');
  t.ok(stick.snapshot().session, 'the stick has a session again');
  const kinds = events.map((e) => e.type).filter((type) => type === 'lost' || type === 'found');
  t.same(kinds, ['found', 'lost', 'found']);
});

hilTest('a hung stick is reset along the ladder and the session comes back', { modem: FAST }, async (t, { stick, modem, until, untilEvent, events }) => {
  modem.setSessionWanted(true);
  await until(isState('connected'), 'connected');
  stick.hang();
  await untilEvent((e) => e.type === 'reset' && e.step === 'reopen', 'the ladder reaches reopen');
  const steps = events.flatMap((e) => (e.type === 'reset' ? [e.step] : []));
  t.same(steps.slice(0, 5), ['re-query', 're-query', 'cfun-reset', 'cfun-reset', 'reopen'] satisfies RecoveryStep[]);
  t.notOk(steps.includes('re-register'), 'no +COPS=0 (120 s budget) for a stick that answers nothing');
  t.equal(modem.snapshot().state, 'initialising', 'not usable meanwhile');
  stick.unhang();
  const back = await until(isState('connected'), 'connected after the stick answers again');
  t.equal(back.registration, 'home');
});

hilTest(
  'a stick that cannot register: +COPS=0, then +CFUN=1,1 (USB re-enumeration), then registered',
  { modem: { ...FAST, timing: { ...FAST.timing, registerTimeoutMs: 300 }, recovery: { ...FAST.recovery, attempts: { reRegister: 1, cfunReset: 1 } } } },
  async (t, { stick, until, untilEvent, events }) => {
    await until(isState('registered'), 'registered');
    stick.setRegistration('denied');
    await until((s) => s.registration === 'denied', 'registration denied');
    await untilEvent((e) => e.type === 'reset' && e.step === 'cfun-reset', 'the ladder reaches cfun-reset');
    t.same(
      events.flatMap((e) => (e.type === 'reset' ? [e.step] : [])),
      ['re-register', 'cfun-reset'],
    );
    await stick.waitForCommand('AT+CFUN=1,1', { timeoutMs: 20_000 });
    t.ok(stick.commands().includes('AT+COPS=0'));
    await untilEvent((e) => e.type === 'lost', 'the stick re-enumerates');
    stick.setRegistration('home');
    await until(isState('registered'), 'registered after the restart');
    t.equal(stick.snapshot().boots, 2, 'the stick did restart');
  },
);
