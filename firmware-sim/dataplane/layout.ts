// The simulated data plane's layout, as data: five namespaces joined by four veth pairs.
//
//   lan ──eth0═lan0── router ──dsl0═line0── dsl ──core0═via-dsl── inet (203.0.113.10)
//                            ──wwan0═radio0── mobile ──core0═via-mobile──┘
//
// `router` is the agent's host: the customer's traffic from `lan` is forwarded there to one of
// the two uplinks, by the default route the agent sets. `dsl` stands for the DSL line and the
// ISP behind it, `mobile` for the UMTS radio network, `inet` for a server on the internet.
// Every instance lives in its own namespaces, so the addresses are the same in all of them
// (documentation and private ranges; nothing is configured outside these namespaces).
import type { Role } from './names.js';

export interface Link {
  /** Namespace and interface of each end. */
  readonly a: { readonly role: Role; readonly device: string; readonly address: string };
  readonly b: { readonly role: Role; readonly device: string; readonly address: string };
}

export const ADDRESSES = {
  /** The customer's PC behind the agent's host (a FRITZ!Box LAN range). */
  lanClient: '192.168.178.20',
  lanPrefix: '192.168.178.0/24',
  routerLan: '192.168.178.1',
  /** The agent's side of the DSL line and the ISP's gateway on it. */
  routerDsl: '198.51.100.2',
  dslGateway: '198.51.100.1',
  /** The agent's side of the mobile data session and the mobile network's gateway. */
  routerMobile: '100.64.0.2',
  mobileGateway: '100.64.0.1',
  /** The ISPs' core routers facing the internet host, and the host's ends. */
  dslCore: '198.51.100.5',
  inetViaDsl: '198.51.100.6',
  mobileCore: '100.64.0.5',
  inetViaMobile: '100.64.0.6',
  /** The server the customer talks to. */
  server: '203.0.113.10',
} as const;

export const DEVICES = {
  lan: { eth: 'eth0' },
  router: { lan: 'lan0', dsl: 'dsl0', mobile: 'wwan0' },
  dsl: { line: 'line0', core: 'core0' },
  mobile: { radio: 'radio0', core: 'core0' },
  inet: { viaDsl: 'via-dsl', viaMobile: 'via-mobile' },
} as const;

export const LINKS: readonly Link[] = [
  {
    a: { role: 'router', device: DEVICES.router.lan, address: `${ADDRESSES.routerLan}/24` },
    b: { role: 'lan', device: DEVICES.lan.eth, address: `${ADDRESSES.lanClient}/24` },
  },
  {
    a: { role: 'router', device: DEVICES.router.dsl, address: `${ADDRESSES.routerDsl}/30` },
    b: { role: 'dsl', device: DEVICES.dsl.line, address: `${ADDRESSES.dslGateway}/30` },
  },
  {
    a: { role: 'router', device: DEVICES.router.mobile, address: `${ADDRESSES.routerMobile}/30` },
    b: { role: 'mobile', device: DEVICES.mobile.radio, address: `${ADDRESSES.mobileGateway}/30` },
  },
  {
    a: { role: 'dsl', device: DEVICES.dsl.core, address: `${ADDRESSES.dslCore}/30` },
    b: { role: 'inet', device: DEVICES.inet.viaDsl, address: `${ADDRESSES.inetViaDsl}/30` },
  },
  {
    a: { role: 'mobile', device: DEVICES.mobile.core, address: `${ADDRESSES.mobileCore}/30` },
    b: { role: 'inet', device: DEVICES.inet.viaMobile, address: `${ADDRESSES.inetViaMobile}/30` },
  },
];

export interface RouteSpec {
  readonly role: Role;
  readonly args: readonly string[];
}

const DSL_TO_CUSTOMER: RouteSpec = { role: 'dsl', args: [ADDRESSES.lanPrefix, 'via', ADDRESSES.routerDsl] };
const DSL_TO_INTERNET: RouteSpec = { role: 'dsl', args: ['default', 'via', ADDRESSES.inetViaDsl] };
const MOBILE_TO_CUSTOMER: RouteSpec = { role: 'mobile', args: [ADDRESSES.lanPrefix, 'via', ADDRESSES.routerMobile] };
// The internet prefers DSL to reach the customer. Its route to the mobile network stays: the
// mobile network withdraws its own route to the subscriber when the session ends (the cut below).
const INTERNET_VIA_DSL: RouteSpec = { role: 'inet', args: [ADDRESSES.lanPrefix, 'via', ADDRESSES.dslCore, 'metric', '10'] };
const INTERNET_VIA_MOBILE: RouteSpec = { role: 'inet', args: [ADDRESSES.lanPrefix, 'via', ADDRESSES.mobileCore, 'metric', '20'] };

/** Routes of the layout (the router's default route is the agent's business). */
export const ROUTES: readonly RouteSpec[] = [
  { role: 'lan', args: ['default', 'via', ADDRESSES.routerLan] },
  DSL_TO_CUSTOMER,
  DSL_TO_INTERNET,
  MOBILE_TO_CUSTOMER,
  { role: 'mobile', args: ['default', 'via', ADDRESSES.inetViaMobile] },
  INTERNET_VIA_DSL,
  INTERNET_VIA_MOBILE,
  { role: 'inet', args: ['198.51.100.0/30', 'via', ADDRESSES.dslCore] },
  { role: 'inet', args: ['100.64.0.0/30', 'via', ADDRESSES.mobileCore] },
];

/**
 * Where the DSL is cut. `line`: the router's own link loses its carrier (a DSL modem on the
 * agent's host; what the router sees when sync is lost). `wan`: the box stays reachable on the
 * LAN and drops everything beyond it (the reference deployment: the agent's host beside a
 * FRITZ!Box, which learns of the loss only over TR-064).
 */
export type DslCut = 'line' | 'wan';

export interface Cut {
  /** The device taken down: the far end of the router's link, or the box's WAN side. */
  readonly role: Role;
  readonly device: string;
  /**
   * Routes that exist only while the uplink carries traffic: those through the device (taking
   * a device down flushes them) and the network's route back to the customer, which an ISP
   * withdraws when the subscriber's session drops (and a mobile network has only while the
   * stick's data session is up: a framed route, as a business APN gives; NAT on a real router
   * has the same effect).
   */
  readonly routes: readonly RouteSpec[];
}

export const CUTS: Readonly<Record<DslCut | 'mobile', Cut>> = {
  line: { role: 'dsl', device: DEVICES.dsl.line, routes: [DSL_TO_CUSTOMER, INTERNET_VIA_DSL] },
  wan: { role: 'dsl', device: DEVICES.dsl.core, routes: [DSL_TO_INTERNET, INTERNET_VIA_DSL] },
  mobile: { role: 'mobile', device: DEVICES.mobile.radio, routes: [MOBILE_TO_CUSTOMER] },
};

/** Namespaces that forward packets (the others are end hosts). */
export const FORWARDING_ROLES: readonly Role[] = ['router', 'dsl', 'mobile'];
