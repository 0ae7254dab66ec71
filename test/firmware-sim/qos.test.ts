// Requested and negotiated rates through +CGEQREQ / +CGEQNEG / +CGCMOD: the 3GPP grid, the
// cell's capacity, and requests that reach an active context only after +CGCMOD.
import t from 'tap';
import type { AtPort } from './helpers/at-port.js';
import { stickWithPort } from './helpers/sim.js';

async function connect(port: AtPort): Promise<void> {
  const from = port.received.length;
  await port.command('AT^NDISDUP=1,1,"internet"');
  await port.expect(/\^NDISSTAT: 1/, from);
}

/** [up, down] kbit/s from +CGEQNEG. */
async function negotiated(port: AtPort): Promise<[number, number] | null> {
  const lines = (await port.info('AT+CGEQNEG=1')).filter((l) => l.startsWith('+CGEQNEG:'));
  if (lines.length === 0) return null;
  const fields = lines[0]!.slice('+CGEQNEG: '.length).split(',');
  return [Number(fields[2]), Number(fields[3])];
}

t.test('+CGEQREQ stores the request; +CGEQREQ? lists it; +CGEQREQ=<cid> clears it', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.equal((await port.command('AT+CGEQREQ=1,3,64,128')).final, 'OK');
  t.same(await port.info('AT+CGEQREQ?'), ['+CGEQREQ: 1,3,64,128,0,0,0,0,"0E0","0E0",3,0,0']);
  t.equal((await port.command('AT+CGEQREQ=1')).final, 'OK');
  t.same(await port.info('AT+CGEQREQ?'), []);
  t.equal((await port.command('AT+CGEQREQ=1,9,64,128')).final, 'ERROR', 'traffic class out of range');
  t.equal((await port.command('AT+CGEQREQ=1,3,abc,128')).final, 'ERROR');
  t.match(await port.info('AT+CGEQREQ=?'), [/^\+CGEQREQ: "IP",\(0-4\)/]);
});

t.test('+CGEQNEG answers only for an active context', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  t.same(await port.info('AT+CGEQNEG=1'), [], 'inactive: OK and nothing else');
  t.same(await port.info('AT+CGEQNEG=?'), ['+CGEQNEG: ()']);
  await connect(port);
  t.same(await port.info('AT+CGEQNEG=?'), ['+CGEQNEG: (1)']);
  t.same(await port.info('AT+CGEQNEG=1'), ['+CGEQNEG: 1,2,5760,7168,0,0,0,1500,"1E4","1E5",3,0,0'], 'nothing requested: the subscription, on the grid');
});

t.test('a request made before connecting applies at activation, rounded onto the grid', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CGEQREQ=1,3,64,128');
  await connect(port);
  t.same(await negotiated(port), [64, 128], 'the baseline 128/64 is on the grid');
  t.same(await port.info('AT+CGEQNEG=1'), ['+CGEQNEG: 1,3,64,128,0,0,0,1500,"1E4","1E5",3,0,0']);
});

t.test('off-grid rates round down by default: 1400 → 1344 up, 3600 → 3584 down', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CGEQREQ=1,3,1400,3600');
  await connect(port);
  t.same(await negotiated(port), [1344, 3584]);
});

t.test('a network that rounds to the nearest grid value: 1400 → 1408', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false, rateRounding: 'nearest' });
  await port.command('AT+CGEQREQ=1,3,1400,3600');
  await connect(port);
  t.same(await negotiated(port), [1408, 3584]);
});

t.test('a changed request reaches an active context only after +CGCMOD', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CGEQREQ=1,3,64,128');
  await connect(port);
  await port.command('AT+CGEQREQ=1,3,1400,3600');
  t.same(await negotiated(port), [64, 128], 'still the old rates');
  t.equal((await port.command('AT+CGCMOD=1')).final, 'OK');
  t.same(await negotiated(port), [1344, 3584]);
  t.same(sim.stick!.snapshot().session?.negotiated, { upKbps: 1344, downKbps: 3584 });
  t.same(sim.stick!.snapshot().requested[1], { upKbps: 1400, downKbps: 3600 });
  await port.command('AT+CGEQREQ=1,3,64,128');
  t.equal((await port.command('AT+CGCMOD')).final, 'OK', 'without cid: every active context');
  t.same(await negotiated(port), [64, 128]);
});

t.test('+CGCMOD without an active context is refused', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false });
  await port.command('AT+CMEE=1');
  t.equal((await port.command('AT+CGCMOD=1')).final, '+CME ERROR: 3');
});

t.test('the cell caps what it grants: UMTS gives 384, a weak cell what it has', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  const stick = sim.stick!;
  await port.command('AT+CGEQREQ=1,3,1400,3600');
  await connect(port);
  t.same(await negotiated(port), [1344, 3584]);
  stick.setTechnology('umts');
  t.same(await negotiated(port), [384, 384], 'R99 WCDMA');
  stick.setTechnology('edge');
  t.same(await negotiated(port), [112, 232]);
  stick.setTechnology('hspa');
  stick.setCellCapacity({ upKbps: 1000, downKbps: 2000 });
  t.same(await negotiated(port), [960, 1984], 'capped, on the grid');
  stick.setCellCapacity(null);
  t.same(await negotiated(port), [1344, 3584], 'back to the request');
});

t.test('the subscription caps requests too', async (t) => {
  const { port } = await stickWithPort(t, { urcs: false, subscribedRates: { upKbps: 384, downKbps: 1024 } });
  await port.command('AT+CGEQREQ=1,3,1400,3600');
  await connect(port);
  t.same(await negotiated(port), [384, 1024]);
});
