// Whatever a peer sends, the simulator keeps answering: random bytes on the serial line, random
// bodies and headers on the TR-064 port.
import fc from 'fast-check';
import t from 'tap';
import { simulator, stickWithPort } from './helpers/sim.js';
import { httpRequest, SERVICES } from './helpers/tr064-client.js';

t.test('random bytes on the line never stop the stick from answering', async (t) => {
  const { sim, port } = await stickWithPort(t, { urcs: false });
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 80 }), async (bytes) => {
      port.port.write(Buffer.from(bytes));
      port.write('\r');
      const reply = await port.command('AT+CGMM');
      return reply.raw.endsWith('E173\r\n\r\nOK\r\n') || reply.raw.includes('\r\nOK\r\n');
    }),
    { numRuns: 40, seed: 7 },
  );
  t.equal(sim.stick!.snapshot().plugged, true);
  t.equal((await port.command('AT')).final, 'OK');
});

t.test('random SOAP bodies get an HTTP answer, never a crash', async (t) => {
  const sim = await simulator(t, { stick: false, router: { password: 'pw' } });
  const url = `${sim.router!.url}${SERVICES.igdCommon.controlUrl}`; // no auth: the parser is reached
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 300 }), fc.string({ maxLength: 60 }), async (body, action) => {
      const res = await httpRequest(url, { method: 'POST', body, headers: { SOAPACTION: action.replace(/[^\x20-\x7e]/g, '') } });
      return res.status === 200 || res.status === 500;
    }),
    { numRuns: 60, seed: 7 },
  );
  t.equal((await httpRequest(`${sim.router!.url}/tr64desc.xml`)).status, 200);
});
