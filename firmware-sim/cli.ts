// `serviceplus sim`: not built yet; issue 3 builds the simulator. It imports nothing of ours.
export const help = `Usage: serviceplus sim [options]

The firmware simulator: a FRITZ!Box answering TR-064 over HTTP and a Huawei UMTS stick behind
a pseudo-terminal, with a control interface to cut DSL, weaken the signal and inject faults.

Not built yet: issue 3 builds it. This stub exits with code 2.`;

export async function run(): Promise<number> {
  process.stderr.write('serviceplus sim: not built yet (issue 3)\n');
  return 2;
}
