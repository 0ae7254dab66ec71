// The SIM card's lock state machine (3GPP TS 27.007 +CPIN, TS 31.102 PIN/PUK counters):
// three wrong PINs ask for the PUK, ten wrong PUKs block the card. Plain data and functions.

export type SimLock =
  | { readonly kind: 'ready' }
  | { readonly kind: 'pin' }
  | { readonly kind: 'puk' }
  | { readonly kind: 'blocked' }
  | { readonly kind: 'removed' };

export interface SimCard {
  readonly lock: SimLock;
  /** The PIN the card checks; lockEnabled false = no PIN asked at power-up. */
  readonly pin: string;
  readonly puk: string;
  readonly lockEnabled: boolean;
  readonly pinTriesLeft: number;
  readonly pukTriesLeft: number;
}

export const PIN_TRIES = 3;
export const PUK_TRIES = 10;

/** +CME codes (27.007 §9.2) the SIM produces. */
export type SimRefusal = 3 | 10 | 11 | 12 | 13 | 16;

export type SimOutcome = { readonly ok: true; readonly card: SimCard } | { readonly ok: false; readonly code: SimRefusal; readonly card: SimCard };

export function newSimCard(options: { pin: string | null; puk: string }): SimCard {
  return {
    lock: { kind: options.pin === null ? 'ready' : 'pin' },
    pin: options.pin ?? '0000',
    puk: options.puk,
    lockEnabled: options.pin !== null,
    pinTriesLeft: PIN_TRIES,
    pukTriesLeft: PUK_TRIES,
  };
}

/** The card after a power cycle: it asks for the PIN again if the lock is on. */
export function powerUp(card: SimCard): SimCard {
  if (card.lock.kind === 'removed' || card.lock.kind === 'blocked' || card.lock.kind === 'puk') return card;
  return { ...card, lock: { kind: card.lockEnabled ? 'pin' : 'ready' } };
}

/** Refusal for commands that need an unlocked SIM, or null when it is ready. */
export function simRefusal(card: SimCard): SimRefusal | null {
  switch (card.lock.kind) {
    case 'ready':
      return null;
    case 'pin':
      return 11;
    case 'puk':
      return 12;
    case 'blocked':
      return 13;
    case 'removed':
      return 10;
  }
}

/** AT+CPIN=<pin> */
export function enterPin(card: SimCard, pin: string): SimOutcome {
  if (card.lock.kind === 'puk') return { ok: false, code: 12, card };
  if (card.lock.kind !== 'pin') {
    const code = simRefusal(card);
    return { ok: false, code: code ?? 3, card };
  }
  if (pin === card.pin) return { ok: true, card: { ...card, lock: { kind: 'ready' }, pinTriesLeft: PIN_TRIES } };
  const pinTriesLeft = card.pinTriesLeft - 1;
  const lock: SimLock = pinTriesLeft <= 0 ? { kind: 'puk' } : { kind: 'pin' };
  return { ok: false, code: 16, card: { ...card, lock, pinTriesLeft: Math.max(0, pinTriesLeft) } };
}

/** AT+CPIN=<puk>,<newpin> */
export function enterPuk(card: SimCard, puk: string, newPin: string): SimOutcome {
  if (card.lock.kind !== 'puk') {
    if (card.lock.kind === 'pin') return enterPin(card, puk);
    const code = simRefusal(card);
    return { ok: false, code: code ?? 3, card };
  }
  if (puk === card.puk && /^\d{4,8}$/.test(newPin)) {
    return { ok: true, card: { ...card, pin: newPin, lock: { kind: 'ready' }, pinTriesLeft: PIN_TRIES, pukTriesLeft: PUK_TRIES } };
  }
  const pukTriesLeft = card.pukTriesLeft - 1;
  const lock: SimLock = pukTriesLeft <= 0 ? { kind: 'blocked' } : { kind: 'puk' };
  return { ok: false, code: 16, card: { ...card, lock, pukTriesLeft: Math.max(0, pukTriesLeft) } };
}

/** The control surface's SIM states. */
export function withState(card: SimCard, state: 'ready' | 'pin' | 'puk' | 'removed'): SimCard {
  switch (state) {
    case 'ready':
      return { ...card, lock: { kind: 'ready' }, pinTriesLeft: PIN_TRIES, pukTriesLeft: PUK_TRIES };
    case 'pin':
      return { ...card, lock: { kind: 'pin' }, lockEnabled: true, pinTriesLeft: PIN_TRIES };
    case 'puk':
      return { ...card, lock: { kind: 'puk' }, lockEnabled: true, pinTriesLeft: 0 };
    case 'removed':
      return { ...card, lock: { kind: 'removed' } };
  }
}
