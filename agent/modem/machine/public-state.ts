// What the rest of the agent sees of the machine: the seven public states, and the
// registration that counts (packet registration first: data needs it).
import type { ModemState, Registration } from '../../../shared/contract/messages.js';
import { isRegistered } from '../huawei/network.js';
import type { MachineState, Radio } from './types.js';

export function publicState(s: MachineState): ModemState {
  const { phase } = s;
  switch (phase.name) {
    case 'stopped':
    case 'absent':
      return 'absent';
    case 'opening':
      return s.present ? 'initialising' : 'absent';
    case 'initialising':
    case 'settling':
      return 'initialising';
    case 'sim-locked':
      return 'sim-locked';
    case 'searching':
      return 'searching';
    case 'registered':
    case 'disconnecting':
      return 'registered';
    case 'connecting':
      return 'connecting';
    case 'connected':
      return 'connected';
    case 'recovering':
      return phase.shows;
  }
}

/** +CGREG when it says registered, else +CREG when it does, else what +CGREG or +CREG said. */
export function effectiveRegistration(radio: Radio): Registration | null {
  if (isRegistered(radio.ps)) return radio.ps;
  if (isRegistered(radio.cs)) return radio.cs;
  return radio.ps ?? radio.cs;
}

export function radioRegistered(radio: Radio): boolean {
  return isRegistered(effectiveRegistration(radio));
}
