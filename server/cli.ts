// `serviceplus server`: not built yet; issue 5 builds the control plane.
export const help = `Usage: serviceplus server [options]

The control plane: HTTP API for NOC and helpdesk, the customer boost page, the MQTT broker
(embedded Aedes, or SP_MQTT_URL) and ingest, scheduled jobs, storage (SQLite or SP_DATABASE_URL).

Not built yet: issue 5 builds it. This stub exits with code 2.`;

export async function run(): Promise<number> {
  process.stderr.write('serviceplus server: not built yet (issue 5)\n');
  return 2;
}
