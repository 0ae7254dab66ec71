// `serviceplus demo` (npm start): not built yet; issue 7 builds it on the server, agent and sim.
export const help = `Usage: serviceplus demo [--scenario outage]

Starts the whole system on this machine: the server with an embedded broker and a SQLite file,
a firmware simulator, and an agent enrolled for a demo subscription; prints the pages' URLs.

Not built yet: issue 7 builds it (after issues 3, 4 and 5). This stub exits with code 2.`;

export async function run(): Promise<number> {
  process.stderr.write('serviceplus demo: not built yet (issue 7)\n');
  return 2;
}
