// A PostgreSQL that takes the connection but never answers (a dropped route, a full backlog, a
// hung server) fails the request as "store unavailable" (503 at the API) after the connect
// timeout, instead of leaving it waiting for ever. The peer here is a TCP listener that accepts
// and stays silent; no PostgreSQL is needed.
import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { openDatabase } from '../../../server/db/database.js';
import { isStoreUnavailable } from '../../../server/db/unavailable.js';

t.test('a silent PostgreSQL fails the request as unavailable after the connect timeout', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => silent.close(resolve));
  });
  const port = (silent.address() as { port: number }).port;

  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 10_000)));
  const opening = openDatabase({ databaseUrl: `postgres://nobody@127.0.0.1:${port}/none`, dataDir: '.' }, { connectTimeoutMs: 300 }).then(
    (store) => store.close().then(() => null),
    (e: unknown) => e,
  );
  const error = await Promise.race([opening, hung]).finally(() => clearTimeout(timer));
  t.not(error, 'hung', 'it gives up by itself (a 300 ms timeout; pg has none by default)');
  t.not(error, null, 'the store does not open');
  t.ok(isStoreUnavailable(error), `counted as the store out of reach (503), not a bug: ${(error as Error).message}`);
  t.ok(sockets.size >= 1, 'it did reach the silent peer');
});
