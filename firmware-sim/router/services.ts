// The TR-064 services the simulated box offers, with the real service types, control URLs,
// action and argument names (HARDWARE.md table; AVM's TR-064 service descriptions as captured
// in fritzconnection's fixtures), and the UPnP IGD ones the box answers without a password.
import type { DslLine } from './line.js';
import { lineReport } from './line.js';

export interface BoxInfo {
  readonly model: string;
  readonly firmware: string;
  readonly serialNumber: string;
  readonly startedAt: number;
  readonly externalIp: string;
  now(): number;
}

export interface ActionContext {
  readonly box: BoxInfo;
  readonly line: DslLine;
  readonly args: Readonly<Record<string, string>>;
}

export type OutArgs = Readonly<Record<string, string | number | boolean>>;

export interface ActionSpec {
  readonly in: readonly string[];
  run(ctx: ActionContext): OutArgs;
}

export interface ServiceSpec {
  readonly serviceType: string;
  readonly serviceId: string;
  readonly controlUrl: string;
  readonly scpdUrl: string;
  /** TR-064 services need digest auth; the IGD ones do not. */
  readonly auth: boolean;
  readonly actions: Readonly<Record<string, ActionSpec>>;
}

const UINT32 = 2 ** 32;
const action = (run: (ctx: ActionContext) => OutArgs, inArgs: readonly string[] = []): ActionSpec => ({ in: inArgs, run });

function linkProperties(ctx: ActionContext): OutArgs {
  const r = lineReport(ctx.line.state, ctx.line.sync);
  // Layer-1 rates are bit/s on the box (fritzconnection divides them by 1000 for kbit/s).
  return {
    NewWANAccessType: 'DSL',
    NewLayer1UpstreamMaxBitRate: r.upstreamKbps * 1000,
    NewLayer1DownstreamMaxBitRate: r.downstreamKbps * 1000,
    NewPhysicalLinkStatus: r.physicalLinkStatus,
  };
}

function uptimeSeconds(box: BoxInfo): number {
  return Math.floor((box.now() - box.startedAt) / 1000);
}

const deviceInfo: ServiceSpec = {
  serviceType: 'urn:dslforum-org:service:DeviceInfo:1',
  serviceId: 'urn:DeviceInfo-com:serviceId:DeviceInfo1',
  controlUrl: '/upnp/control/deviceinfo',
  scpdUrl: '/deviceinfoSCPD.xml',
  auth: true,
  actions: {
    GetInfo: action(({ box }) => ({
      NewManufacturerName: 'AVM',
      NewManufacturerOUI: '00040E',
      NewModelName: box.model,
      NewDescription: `${box.model} ${box.firmware}`,
      NewProductClass: box.model.split(' ')[0] ?? box.model,
      NewSerialNumber: box.serialNumber,
      NewSoftwareVersion: box.firmware,
      NewHardwareVersion: box.model,
      NewSpecVersion: '1.0',
      NewProvisioningCode: '',
      NewUpTime: uptimeSeconds(box),
      NewDeviceLog: `${new Date(box.startedAt).toISOString()} Simulated ${box.model} started.`,
    })),
    GetSecurityPort: action(() => ({ NewSecurityPort: 49443 })),
  },
};

const wanCommon: ServiceSpec = {
  serviceType: 'urn:dslforum-org:service:WANCommonInterfaceConfig:1',
  serviceId: 'urn:WANCIfConfig-com:serviceId:WANCommonInterfaceConfig1',
  controlUrl: '/upnp/control/wancommonifconfig1',
  scpdUrl: '/wancommonifconfigSCPD.xml',
  auth: true,
  actions: {
    GetCommonLinkProperties: action(linkProperties),
    // 32-bit counters that wrap at 4 GiB, as on the box.
    GetTotalBytesSent: action(({ line }) => ({ NewTotalBytesSent: line.bytesSent % UINT32 })),
    GetTotalBytesReceived: action(({ line }) => ({ NewTotalBytesReceived: line.bytesReceived % UINT32 })),
    GetTotalPacketsSent: action(({ line }) => ({ NewTotalPacketsSent: Math.floor(line.bytesSent / 1400) % UINT32 })),
    GetTotalPacketsReceived: action(({ line }) => ({ NewTotalPacketsReceived: Math.floor(line.bytesReceived / 1400) % UINT32 })),
  },
};

const wanDsl: ServiceSpec = {
  serviceType: 'urn:dslforum-org:service:WANDSLInterfaceConfig:1',
  serviceId: 'urn:WANDSLIfConfig-com:serviceId:WANDSLInterfaceConfig1',
  controlUrl: '/upnp/control/wandslifconfig1',
  scpdUrl: '/wandslifconfigSCPD.xml',
  auth: true,
  actions: {
    GetInfo: action(({ line }) => {
      const r = lineReport(line.state, line.sync);
      const synced = r.downstreamKbps > 0;
      return {
        NewEnable: true,
        NewStatus: r.dslStatus,
        NewDataPath: 'Interleaved',
        NewUpstreamCurrRate: r.upstreamKbps,
        NewDownstreamCurrRate: r.downstreamKbps,
        NewUpstreamMaxRate: synced ? Math.round(line.sync.upKbps * 1.1) : 0,
        NewDownstreamMaxRate: synced ? Math.round(line.sync.downKbps * 1.1) : 0,
        NewUpstreamNoiseMargin: synced ? 60 : 0,
        NewDownstreamNoiseMargin: synced ? 90 : 0,
        NewUpstreamAttenuation: synced ? 130 : 0,
        NewDownstreamAttenuation: synced ? 150 : 0,
        NewATURVendor: '41564d00',
        NewATURCountry: '0400',
        NewUpstreamPower: synced ? 498 : 0,
        NewDownstreamPower: synced ? 513 : 0,
      };
    }),
  },
};

function pppStatus({ line }: ActionContext): OutArgs {
  const r = lineReport(line.state, line.sync);
  return { NewConnectionStatus: r.connectionStatus, NewLastConnectionError: r.lastConnectionError, NewUptime: line.pppUptimeSeconds() };
}

const wanPpp: ServiceSpec = {
  serviceType: 'urn:dslforum-org:service:WANPPPConnection:1',
  serviceId: 'urn:WANPPPConnection-com:serviceId:WANPPPConnection1',
  controlUrl: '/upnp/control/wanpppconn1',
  scpdUrl: '/wanpppconnSCPD.xml',
  auth: true,
  actions: {
    GetStatusInfo: action(pppStatus),
    GetInfo: action((ctx) => ({
      NewEnable: true,
      ...pppStatus(ctx),
      NewConnectionType: 'IP_Routed',
      NewExternalIPAddress: ctx.line.state === 'up' ? ctx.box.externalIp : '0.0.0.0',
    })),
    GetExternalIPAddress: action(({ line, box }) => ({ NewExternalIPAddress: line.state === 'up' ? box.externalIp : '0.0.0.0' })),
  },
};

const igdCommon: ServiceSpec = {
  serviceType: 'urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1',
  serviceId: 'urn:upnp-org:serviceId:WANCommonIFC1',
  controlUrl: '/igdupnp/control/WANCommonIFC1',
  scpdUrl: '/igdicfgSCPD.xml',
  auth: false,
  actions: {
    GetCommonLinkProperties: action(linkProperties),
    GetAddonInfos: action(({ line }) => ({
      NewByteSendRate: 0,
      NewByteReceiveRate: 0,
      NewPacketSendRate: 0,
      NewPacketReceiveRate: 0,
      NewTotalBytesSent: line.bytesSent % UINT32,
      NewTotalBytesReceived: line.bytesReceived % UINT32,
      NewAutoDisconnectTime: 0,
      NewIdleDisconnectTime: 0,
      NewDNSServer1: '194.109.6.66',
      NewDNSServer2: '194.109.9.99',
      NewVoipDNSServer1: '194.109.6.66',
      NewVoipDNSServer2: '194.109.9.99',
      NewUpnpControlEnabled: false,
      NewRoutedBridgedModeBoth: 1,
      NewX_AVM_DE_TotalBytesSent64: String(line.bytesSent),
      NewX_AVM_DE_TotalBytesReceived64: String(line.bytesReceived),
      NewX_AVM_DE_WANAccessType: 'DSL',
    })),
  },
};

/** TR-064 services (in /tr64desc.xml), then IGD ones (in /igddesc.xml). */
export const TR064_SERVICES: readonly ServiceSpec[] = [deviceInfo, wanCommon, wanDsl, wanPpp];
export const IGD_SERVICES: readonly ServiceSpec[] = [igdCommon];
export const ALL_SERVICES: readonly ServiceSpec[] = [...TR064_SERVICES, ...IGD_SERVICES];
