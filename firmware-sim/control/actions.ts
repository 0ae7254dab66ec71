// The control surface as data: one zod-validated JSON command per call, applied to the
// simulator. The HTTP interface (http.ts) and scripted scenarios use the same commands.
import { z } from 'zod';
import type { Simulator } from '../index.js';
import { SimulatorError } from '../errors.js';

const rates = z.object({ downKbps: z.number().positive(), upKbps: z.number().positive() });
const fraction = z.number().min(0).max(1);

export const ControlCommandSchema = z.discriminatedUnion('action', [
  // Router
  z.object({ action: z.literal('dsl'), state: z.enum(['up', 'down', 'training', 'no-internet']) }),
  z.object({ action: z.literal('dsl-flap'), periodMs: z.number().int().min(2) }),
  z.object({ action: z.literal('router-reachable'), reachable: z.boolean(), mode: z.enum(['timeout', 'refused']).optional() }),
  z.object({ action: z.literal('router-delay'), ms: z.number().min(0) }),
  z.object({ action: z.literal('router-traffic'), sent: z.number().int().min(0).optional(), received: z.number().int().min(0).optional() }),
  // Stick: network
  z.object({ action: z.literal('signal'), dbm: z.number().min(-130).max(-30).nullable() }),
  z.object({ action: z.literal('coverage'), on: z.boolean() }),
  z.object({ action: z.literal('registration'), state: z.enum(['not-registered', 'home', 'searching', 'denied', 'unknown', 'roaming']) }),
  z.object({ action: z.literal('technology'), technology: z.enum(['gsm', 'gprs', 'edge', 'umts', 'hsdpa', 'hsupa', 'hspa']) }),
  z.object({ action: z.literal('cell-capacity'), rates: rates.nullable() }),
  z.object({ action: z.literal('sim'), state: z.enum(['ready', 'pin', 'puk', 'removed']) }),
  // Stick: traffic
  z.object({ action: z.literal('traffic'), seconds: z.number().min(0), load: z.object({ up: fraction.optional(), down: fraction.optional() }).optional() }),
  z.object({ action: z.literal('traffic-bytes'), txBytes: z.number().int().min(0).optional(), rxBytes: z.number().int().min(0).optional() }),
  z.object({ action: z.literal('load'), up: fraction.optional(), down: fraction.optional() }),
  // Stick: unsolicited codes
  z.object({ action: z.literal('urc'), lines: z.array(z.string().max(512)).min(1) }),
  z.object({
    action: z.literal('inject-urcs'),
    lines: z.array(z.string().max(512)).min(1),
    at: z.enum(['after-echo', 'before-final', 'after-final']).optional(),
    command: z.string().optional(),
  }),
  // Stick: faults
  z.object({ action: z.literal('unplug') }),
  z.object({ action: z.literal('replug') }),
  z.object({ action: z.literal('restart') }),
  z.object({ action: z.literal('hang') }),
  z.object({ action: z.literal('unhang') }),
  z.object({ action: z.literal('garbage'), text: z.string().max(4096).optional(), hex: z.string().regex(/^([0-9a-fA-F]{2})*$/).max(8192).optional(), length: z.number().int().min(1).max(4096).optional() }),
  z.object({ action: z.literal('truncate-next'), keepBytes: z.number().int().min(0).optional() }),
  z.object({ action: z.literal('stick-delay'), ms: z.number().min(0) }),
]);

export type ControlCommand = z.infer<typeof ControlCommandSchema>;

const ROUTER_ACTIONS = new Set(['dsl', 'dsl-flap', 'router-reachable', 'router-delay', 'router-traffic']);

export async function applyControl(sim: Simulator, command: ControlCommand): Promise<void> {
  if (ROUTER_ACTIONS.has(command.action)) {
    const router = sim.router;
    if (!router) throw new SimulatorError('BAD_ARGUMENT', 'this simulator has no router');
    switch (command.action) {
      case 'dsl':
        return router.setLine(command.state);
      case 'dsl-flap':
        return router.flap(command.periodMs);
      case 'router-reachable':
        return router.setReachable(command.reachable, command.mode);
      case 'router-delay':
        return router.setAnswerDelay(command.ms);
      case 'router-traffic':
        return router.addWanTraffic({ sent: command.sent, received: command.received });
    }
  }
  const stick = sim.stick;
  if (!stick) throw new SimulatorError('BAD_ARGUMENT', 'this simulator has no stick');
  switch (command.action) {
    case 'signal':
      return stick.setSignal(command.dbm);
    case 'coverage':
      return stick.setCoverage(command.on);
    case 'registration':
      return stick.setRegistration(command.state);
    case 'technology':
      return stick.setTechnology(command.technology);
    case 'cell-capacity':
      return stick.setCellCapacity(command.rates);
    case 'sim':
      return stick.setSim(command.state);
    case 'traffic':
      return stick.generateTraffic({ seconds: command.seconds, load: command.load });
    case 'traffic-bytes':
      return stick.generateTraffic({ txBytes: command.txBytes, rxBytes: command.rxBytes });
    case 'load':
      return stick.setLoad({ up: command.up, down: command.down });
    case 'urc':
      return stick.sendUrc(...command.lines);
    case 'inject-urcs':
      return stick.injectUrcs(command.lines, { at: command.at, command: command.command });
    case 'unplug':
      return stick.unplug();
    case 'replug':
      return stick.replug();
    case 'restart':
      // Answer at once; the stick comes back by itself (reboot latency).
      void stick.restart().catch(() => {});
      return;
    case 'hang':
      return stick.hang();
    case 'unhang':
      return stick.unhang();
    case 'garbage':
      return stick.injectGarbage(command.hex !== undefined ? Buffer.from(command.hex, 'hex') : command.text, command.length);
    case 'truncate-next':
      return stick.truncateNextReply(command.keepBytes);
    case 'stick-delay':
      return stick.setAnswerDelay(command.ms);
    default:
      throw new SimulatorError('BAD_ARGUMENT', `unknown action ${(command as { action: string }).action}`);
  }
}
