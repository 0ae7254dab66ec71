// The firmware simulator's public API: a FRITZ!Box answering TR-064 over HTTP and a Huawei UMTS
// stick behind a real pseudo-terminal, with a control surface the agent never uses.
//
// This folder imports nothing of the project (not even shared/): it implements TR-064, HTTP
// digest and the Huawei AT dialect on its own, so a parser bug cannot hide on both sides.
//
//   const sim = await startSimulator({ stick: { latencyScale: 0 } });
//   sim.router.url            // http://127.0.0.1:PORT (GET /tr64desc.xml; SOAP on /upnp/control/…)
//   sim.stick.devicePath      // /tmp/…/ttyUSB0 → /dev/pts/N; open it with serialport at 57600
//   sim.router.setLine('down'); sim.stick.setSignal(null); sim.stick.unplug();
//   await sim.close();
//
// Every control method is also reachable as JSON over HTTP (see control/actions.ts), for the
// demo and black-box tests: `POST <controlUrl>/control {"action":"dsl","state":"down"}`.

import type { DataPlane, DataPlaneOptions } from './dataplane/index.js';
import type { LatencyKey } from './stick/latency.js';

export { startSimulator } from './main.js';
export { SimulatorError, type SimulatorErrorCode } from './errors.js';
export { LATENCY_DEFAULTS_MS, type LatencyKey } from './stick/latency.js';
/** The optional data plane (network namespaces; Linux, root, iproute2): see dataplane/index.ts. */
export { dataPlaneSupport, bridgeIntoNamespace, type DataPlane, type DataPlaneSupport, type Bridge } from './dataplane/index.js';
/** The control surface as JSON commands (what POST /control accepts), for scripted scenarios. */
export { applyControl, ControlCommandSchema, type ControlCommand } from './control/actions.js';

/** Time source for everything the simulator does (latencies, periodic URCs, flapping, uptime,
 *  session time, continuous traffic). Structurally the same as the project's `Clock`, so a
 *  `TestClock` can be passed in; the default is the system clock. A zero delay (every latency
 *  with latencyScale 0) runs on the next turn of the event loop, not on this clock. */
export interface SimClock {
  now(): number;
  /** Runs `fn` once after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

/** Minimal logger (pino's shape); the simulator logs nothing when none is given. */
export interface SimLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** kbit/s, like the project's `Rates`. */
export interface SimRates {
  readonly downKbps: number;
  readonly upKbps: number;
}

/** Radio access technology as ^SYSINFO / +COPS / ^MODE report it. */
export type SimTechnology = 'gsm' | 'gprs' | 'edge' | 'umts' | 'hsdpa' | 'hsupa' | 'hspa';

/** +CREG/+CGREG <stat>: 0 not-registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming.
 *  Setting one is the network's answer once the stick may register (radio on, SIM ready,
 *  coverage); until then the stick reports 0 or 2 by itself. */
export type SimRegistration = 'not-registered' | 'home' | 'searching' | 'denied' | 'unknown' | 'roaming';

/** The SIM as the stick sees it. `pin` / `puk`: the stick asks for it (+CPIN: SIM PIN / SIM PUK). */
export type SimCardState = 'ready' | 'pin' | 'puk' | 'removed';

/** The DSL line: `training` is sync in progress (Initializing), `no-internet` is sync present
 *  with PPP down. Flapping is set with `Router.flap`. */
export type DslLineState = 'up' | 'down' | 'training' | 'no-internet';

/** Where scripted unsolicited codes go around the next command: between the echo and the
 *  reply, between the information lines and the final result, or right after the final result
 *  (in the same write, so the reader sees `OK` and the URC in one chunk). */
export type UrcPlacement = 'after-echo' | 'before-final' | 'after-final';

/** Reply format variants seen across Huawei firmwares (HARDWARE.md "Replies vary"). */
export interface StickQuirks {
  /** `^RSSI: 17` instead of `^RSSI:17` (and the same for ^SYSINFO, ^DSFLOW…, ^MODE). Default false. */
  readonly spaceAfterColon: boolean;
  /** Hex digits of ^DSFLOWQRY/^DSFLOWRPT. Default 'upper'. */
  readonly hexCase: 'upper' | 'lower';
  /** Tag of the ^NDISSTATQRY? answer: the documented one or a firmware's mixed case. Default '^NDISSTATQRY'. */
  readonly ndisStatQueryTag: '^NDISSTATQRY' | '^NDISSTATQry';
  /** Final result for an unknown command: `ERROR` (E173) or `COMMAND NOT SUPPORT` (older firmwares). Default 'ERROR'. */
  readonly unknownCommand: 'ERROR' | 'COMMAND NOT SUPPORT';
  /** `^SYSINFO:2,3,0,5,1,,4` (trailing empty lock field) vs only the five mandatory fields. Default 'full'. */
  readonly sysinfo: 'full' | 'short';
}

export interface RouterOptions {
  /** Model name (DeviceInfo NewModelName). Default 'FRITZ!Box 7490'. */
  readonly model?: string;
  /** FRITZ!OS version (NewSoftwareVersion). Default '113.07.29'. */
  readonly firmware?: string;
  /** Default 'admin'. */
  readonly username?: string;
  /** Default: a random 16-character password (printed by `serviceplus sim`). */
  readonly password?: string;
  /** Accept an empty user name with the password (FRITZ!OS before 7.24). Default: from `firmware`. */
  readonly legacyEmptyUser?: boolean;
  /** Default 127.0.0.1, port 0 (ephemeral; the real box uses 49000). */
  readonly host?: string;
  readonly port?: number;
  /** Initial line state. Default 'up'. */
  readonly line?: DslLineState;
  /** DSL sync rates while up, kbit/s. Default 50000 down / 10000 up (VDSL2 17a on a 7490). */
  readonly syncRates?: SimRates;
}

export interface StickOptions {
  /** Folder for the stable device path. Default: a new temp folder (removed on close). */
  readonly dir?: string;
  /** File name of the device path. Default 'ttyUSB0'. */
  readonly name?: string;
  /** SIM PIN; null = no PIN asked. Default null. */
  readonly pin?: string | null;
  /** SIM PUK. Default '12345678'. */
  readonly puk?: string;
  /** Identity: ATI/+CGMI/+CGMM/+CGMR/+CGSN. Defaults: huawei, E173, 11.126.85.00.209, a valid IMEI. */
  readonly manufacturer?: string;
  readonly model?: string;
  readonly revision?: string;
  readonly imei?: string;
  /** Operator: long name and MCC+MNC. Default 'KPN NL' / '20408'. */
  readonly operatorName?: string;
  readonly operatorNumeric?: string;
  /** The only APN the network accepts; null = any non-empty APN. Default null. */
  readonly apn?: string | null;
  /** Multiplies every latency default (1 = realistic, 0 = instant for fast tests). Default 1. */
  readonly latencyScale?: number;
  /** Per-key latencies in ms, used as given (latencyScale does not apply to them). */
  readonly latencies?: Partial<Record<LatencyKey, number>>;
  /** ^CURC at power-up: Huawei unsolicited reports (^RSSI, ^MODE, ^BOOT, ^DSFLOWRPT…) on. Default true. */
  readonly urcs?: boolean;
  /** Period of ^BOOT on an idle port; null = never. Default null. */
  readonly bootUrcIntervalMs?: number | null;
  /** Period of ^DSFLOWRPT while a session is up; null = never. Default 2000. */
  readonly dsflowReportIntervalMs?: number | null;
  /** Initial network. Defaults: signal −73 dBm (rssi 20), registration 'home', technology 'hspa'. */
  readonly signalDbm?: number | null;
  readonly registration?: SimRegistration;
  readonly technology?: SimTechnology;
  /** What the subscription grants when nothing is requested (+CGEQREQ class 4 / none).
   *  Default 7200 down / 5760 up (the E173's HSDPA/HSUPA categories). */
  readonly subscribedRates?: SimRates;
  /** How the network maps an off-grid request onto the 3GPP rate grid. Default 'down'. */
  readonly rateRounding?: 'down' | 'nearest' | 'up';
  /** `+CFUN=1,1`: 'reenumerate' (OK, then the device path disappears and returns, as a USB stick
   *  does) or 'in-place' (the port stays; state resets). Default 'reenumerate'. */
  readonly resetMode?: 'reenumerate' | 'in-place';
  readonly quirks?: Partial<StickQuirks>;
}

/**
 * The simulator's data plane: network namespaces for the customer's LAN, the agent's router
 * host, the DSL line, the mobile network and the internet, joined by veth pairs (see
 * dataplane/layout.ts). The DSL link carries packets only while the box's line is `up` (down,
 * training, no-internet and flapping cut it); the mobile link only while the stick's data session
 * is up (it ends with a hang-up, coverage loss, a restart or an unplug). Needs Linux, root and
 * iproute2 (dataPlaneSupport() says whether this machine has them).
 */
export type SimDataPlaneOptions = Pick<DataPlaneOptions, 'prefix' | 'dslCut' | 'wireSizedHosts'>;

export interface SimulatorOptions {
  /** false = no router. */
  readonly router?: RouterOptions | false;
  /** false = no stick. */
  readonly stick?: StickOptions | false;
  /** HTTP control interface on 127.0.0.1; null = none. Default { port: 0 }. */
  readonly control?: { readonly port?: number; readonly host?: string } | null;
  /** Seed for everything random (garbage bytes, nonces excepted). Default 1. */
  readonly seed?: number;
  readonly clock?: SimClock;
  readonly logger?: SimLogger;
  /** Real packets (see SimDataPlaneOptions); false or absent = none. */
  readonly dataPlane?: SimDataPlaneOptions | false;
}

/** One SOAP call the router answered (or refused), for test introspection. */
export interface RouterRequestRecord {
  readonly at: number;
  readonly path: string;
  readonly soapAction: string | null;
  /** HTTP status sent; 0 if the box was unreachable and never answered. */
  readonly status: number;
}

export interface RouterLineSnapshot {
  readonly state: DslLineState;
  /** Full cycle in ms while flapping (down then up, half each), else null. */
  readonly flappingPeriodMs: number | null;
  /** TR-064 values as answered right now. */
  readonly physicalLinkStatus: 'Up' | 'Down' | 'Initializing' | 'Unavailable';
  readonly dslStatus: 'Up' | 'Initializing' | 'EstablishingLink' | 'NoSignal' | 'Error' | 'Disabled';
  readonly connectionStatus: 'Connected' | 'Connecting' | 'Disconnected';
  readonly upstreamKbps: number;
  readonly downstreamKbps: number;
  /** Bytes carried over DSL (64-bit; GetTotalBytes* report them modulo 2^32). */
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** The simulated FRITZ!Box. */
export interface SimRouter {
  /** http://127.0.0.1:PORT; `${url}/tr64desc.xml` is the description. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly model: string;
  readonly firmware: string;
  /** Sets the line now; stops flapping. */
  setLine(state: DslLineState): void;
  /** Flaps the line: down for periodMs/2, up for periodMs/2, repeating, until setLine. */
  flap(periodMs: number): void;
  line(): RouterLineSnapshot;
  /** false: TR-064 stops answering. 'timeout' (default) accepts connections and never answers;
   *  'refused' closes the listener (connections are refused) until reachable again. */
  setReachable(reachable: boolean, mode?: 'timeout' | 'refused'): Promise<void>;
  /** Extra delay before every SOAP answer (a slow box); 0 to clear. */
  setAnswerDelay(ms: number): void;
  /** Adds bytes to the DSL WAN counters. */
  addWanTraffic(bytes: { sent?: number; received?: number }): void;
  /** The SOAP calls received, oldest first. */
  requests(): readonly RouterRequestRecord[];
}

export interface StickSessionSnapshot {
  readonly kind: 'ndis' | 'ppp';
  readonly cid: number;
  readonly apn: string;
  /** Clock time the session came up. */
  readonly since: number;
  /** What the network granted (3GPP grid, capped to the cell). */
  readonly negotiated: SimRates;
}

export interface StickCountersSnapshot {
  readonly sessionSeconds: number;
  readonly sessionTxBytes: number;
  readonly sessionRxBytes: number;
  readonly totalSeconds: number;
  readonly totalTxBytes: number;
  readonly totalRxBytes: number;
}

export interface StickSnapshot {
  readonly plugged: boolean;
  readonly hung: boolean;
  /** +CFUN level: 0 minimum, 1 full, 4 radio off. */
  readonly cfun: number;
  readonly sim: SimCardState;
  /** PIN tries left (3 → PUK). */
  readonly pinTriesLeft: number;
  /** What the stick reports now (+CREG stat). */
  readonly registration: SimRegistration;
  readonly technology: SimTechnology;
  /** null = no coverage (rssi 99). */
  readonly signalDbm: number | null;
  readonly echo: boolean;
  readonly cmee: 0 | 1 | 2;
  readonly cregMode: number;
  readonly cgregMode: number;
  readonly urcs: boolean;
  /** Last +CGEQREQ per cid (kbit/s as sent, before rounding); absent = subscribed. */
  readonly requested: Readonly<Record<number, SimRates>>;
  readonly session: StickSessionSnapshot | null;
  readonly counters: StickCountersSnapshot;
  /** Continuous traffic as a fraction (0…1) of the negotiated rate per direction. */
  readonly load: { readonly up: number; readonly down: number };
  /** Power-ups of the stick (1 after start; +1 per restart or replug). */
  readonly boots: number;
  /** Bytes received from the host since start, including those a hung stick ignored. */
  readonly hostBytes: number;
}

/** The simulated Huawei stick. Commands take effect at once; URCs they cause are written now. */
export interface SimStick {
  /** Stable path the agent opens (a symlink to /dev/pts/N while plugged; absent while unplugged). */
  readonly devicePath: string;
  snapshot(): StickSnapshot;
  /** AT command lines received (without `\r`), oldest first, across restarts. */
  commands(): readonly string[];
  /** Resolves when a received command line matches (or at once if one already did after `sinceIndex`). */
  waitForCommand(match: string | RegExp, options?: { sinceIndex?: number; timeoutMs?: number }): Promise<string>;

  // Network
  /** Signal in dBm (−113…−51); null = no coverage at all (rssi 99, searching, session drops). */
  setSignal(dbm: number | null): void;
  /** false = no coverage (as setSignal(null)); true = back at the last signal (default −73 dBm). */
  setCoverage(on: boolean): void;
  setRegistration(registration: SimRegistration): void;
  setTechnology(technology: SimTechnology): void;
  /** Caps what the cell grants (kbit/s); null = the technology's default capacity. */
  setCellCapacity(rates: SimRates | null): void;

  // SIM
  /** 'removed' pulls the SIM (^SIMST:255); 'pin'/'puk' make it ask again; 'ready' unlocks it. */
  setSim(state: SimCardState): void;

  // Traffic on the data session (throws SimulatorError NO_SESSION when none is up)
  /** Adds `seconds` of traffic at the negotiated rate (× load, default 1 both ways), or explicit bytes. */
  generateTraffic(traffic: { seconds: number; load?: { up?: number; down?: number } } | { txBytes?: number; rxBytes?: number }): void;
  /** Continuous traffic: counters grow with clock time at this fraction of the negotiated rate. */
  setLoad(load: { up?: number; down?: number }): void;

  // Unsolicited codes
  /** Writes unsolicited lines now (each framed `\r\n…\r\n`, all in one write). */
  sendUrc(...lines: string[]): void;
  /** Puts these lines at `at` around the next command whose line matches `command` (default: any). */
  injectUrcs(lines: readonly string[], options?: { at?: UrcPlacement; command?: string | RegExp }): void;

  // Faults
  /** The device path disappears; the agent's open port sees the terminal close. */
  unplug(): Promise<void>;
  /** A new pty and the device path again; the stick boots (counters and settings reset). */
  replug(): Promise<void>;
  /** Restarts the stick the way `AT+CFUN=1,1` does (per `resetMode`). */
  restart(): Promise<void>;
  /** Stops answering anything (no echo, no replies, no URCs) until unhang. */
  hang(): void;
  unhang(): void;
  /** Writes raw bytes now; without bytes, `length` (default 16) seeded random bytes. */
  injectGarbage(bytes?: Uint8Array | string, length?: number): void;
  /** The next reply stops after `keepBytes` bytes (default: everything but the final result). */
  truncateNextReply(keepBytes?: number): void;
  /** Adds `ms` to every answer until set back to 0 (a slow stick). */
  setAnswerDelay(ms: number): void;
}

export interface Simulator {
  /** null when started with `router: false`. */
  readonly router: SimRouter | null;
  /** null when started with `stick: false`. */
  readonly stick: SimStick | null;
  /** http://127.0.0.1:PORT of the JSON control interface, or null. */
  readonly controlUrl: string | null;
  /** The data plane when started with `dataPlane`, else null. */
  readonly dataPlane: DataPlane | null;
  /** Resolves once the data plane's links match the line and the stick (at once without one). */
  dataPlaneSettled(): Promise<void>;
  /** Stops everything, removes the device path and temp folder (and the data plane's namespaces). Safe to call twice. */
  close(): Promise<void>;
}
