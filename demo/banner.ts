// The demo's first screen: where everything is and how to log in.
import { relative } from 'node:path';
import type { DemoStack } from './stack.js';

export function banner(stack: DemoStack, settings: { boostSeconds: number; failbackSeconds: number }): string {
  const url = stack.server.url;
  const dataDir = relative(process.cwd(), stack.paths.root) || '.';
  const shown = dataDir.startsWith('..') ? stack.paths.root : `./${dataDir}`;
  const rows: Array<[string, string]> = [
    ['Customer page', `${url}/            log in as ${stack.customer.login} / ${stack.customer.password}`],
    ['NOC dashboard', `${url}/noc         sign in with the operator token below`],
    ['Operator token', `${stack.operatorToken}   (role noc; API: Authorization: Bearer …)`],
    ['API docs', `${url}/docs`],
    ['Metrics', `${url}/metrics`],
    ['Simulator', `${stack.simControlUrl}   (GET /state, POST /control)`],
    ['MQTT broker', `${stack.server.mqttUrl}   (embedded; router ${stack.deviceId})`],
    ['Data and logs', `${shown}   (demo.log, mail.log)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    'ServicePlus demo: the control plane, a simulated FRITZ!Box 7490 with a Huawei UMTS stick, and the agent.',
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    ...(stack.notes.length > 0 ? ['', ...stack.notes.map((note) => `  Note: ${note}`)] : []),
    '',
    'Try it: press "Cut DSL" in the NOC dashboard\'s demo panel (or run',
    `  curl -X POST ${stack.simControlUrl}/control -d '{"action":"dsl","state":"down"}'`,
    `), then log in on the customer page and ask for a boost: in this demo it lasts ${settings.boostSeconds} s,`,
    `and the router returns to DSL ${settings.failbackSeconds} s after the line is back. Ctrl-C stops everything.`,
    '',
  ].join('\n');
}
