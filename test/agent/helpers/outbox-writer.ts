// A child process for the kill -9 test: appends numbered messages to an outbox as fast as it can
// and prints each number once `append` resolved (the message is on disk). Run with tsx.
import { silentLogger } from '../../../shared/log.js';
import { Outbox } from '../../../agent/uplink/outbox.js';

const [path] = process.argv.slice(2);
if (!path) throw new Error('usage: outbox-writer.ts <path>');
const outbox = await Outbox.open(path, { log: silentLogger() });
for (let i = 1; ; i++) {
  await outbox.append(i % 3 === 0 ? 'usage' : 'events', JSON.stringify({ i }));
  if (i % 5 === 0) void outbox.delivered(i - 4); // some delivery markers in between
  process.stdout.write(`${i}\n`);
}
