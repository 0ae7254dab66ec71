// The API benchmark's baseline: a bare Fastify 5 route that returns a JSON object from memory
// (the real route's answer, read from the file named on the command line); tells its parent the
// port over IPC.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Record<string, unknown>;
const app = Fastify();
app.get('/api/v1/devices/:deviceId', async () => body);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
process.on('disconnect', () => void app.close().then(() => process.exit(0)));
