// One poll's TR-064 values → up, down, training, no-internet.
import t from 'tap';
import { classifyLine, type RawLinkValues } from '../../../agent/dsl/line-reading.js';

const raw = (over: Partial<RawLinkValues>): RawLinkValues => ({
  physical: 'Up',
  connection: 'Connected',
  lastConnectionError: 'ERROR_NONE',
  dslStatus: null,
  downKbps: 50_000,
  upKbps: 10_000,
  ...over,
});

t.test('each combination the box can report', async (t) => {
  const cases: Array<[Partial<RawLinkValues>, string]> = [
    [{}, 'up'],
    [{ physical: ' Up ' }, 'up'],
    [{ physical: 'Down' }, 'down'],
    [{ physical: 'Unavailable' }, 'down'],
    [{ physical: 'Initializing' }, 'training'],
    [{ physical: 'Initializing', dslStatus: 'EstablishingLink' }, 'training'],
    [{ physical: 'Initializing', dslStatus: 'NoSignal' }, 'down'],
    [{ physical: 'Down', dslStatus: 'Error' }, 'down'],
    [{ connection: 'Connecting' }, 'no-internet'],
    [{ connection: 'Disconnected', lastConnectionError: 'ERROR_ISP_TIME_OUT' }, 'no-internet'],
    [{ connection: 'PendingDisconnect' }, 'no-internet'],
    [{ connection: null }, 'up'],
    [{ physical: null, dslStatus: 'Up' }, 'up'],
    [{ physical: null, dslStatus: null, connection: null }, 'down'],
  ];
  for (const [over, kind] of cases) t.equal(classifyLine(raw(over)).kind, kind, JSON.stringify(over));
});

t.test('the evidence says what the box said', async (t) => {
  const obs = classifyLine(raw({ physical: 'Up', connection: 'Disconnected', lastConnectionError: 'ERROR_NO_CARRIER' }));
  t.same(obs.evidence, ['PhysicalLinkStatus Up', 'connection Disconnected (ERROR_NO_CARRIER)']);
  t.same([obs.downKbps, obs.upKbps], [50_000, 10_000]);
});
