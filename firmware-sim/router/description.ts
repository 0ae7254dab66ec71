// Description documents: /tr64desc.xml (TR-064 device tree, as AVM serves it: root device with
// DeviceInfo, a WANDevice with the interface services, a WANConnectionDevice with PPP),
// /igddesc.xml (UPnP IGD) and one SCPD per service listing its actions and arguments.
import { escapeXml } from './xml.js';
import type { BoxInfo, ServiceSpec } from './services.js';
import { IGD_SERVICES, TR064_SERVICES } from './services.js';

function serviceList(services: readonly ServiceSpec[]): string {
  const items = services.map(
    (s) =>
      `<service>\n<serviceType>${s.serviceType}</serviceType>\n<serviceId>${s.serviceId}</serviceId>\n<controlURL>${s.controlUrl}</controlURL>\n<eventSubURL>${s.controlUrl}</eventSubURL>\n<SCPDURL>${s.scpdUrl}</SCPDURL>\n</service>`,
  );
  return `<serviceList>\n${items.join('\n')}\n</serviceList>`;
}

function device(kind: string, name: string, box: BoxInfo, uuidSuffix: string, services: readonly ServiceSpec[], children = ''): string {
  const model = escapeXml(box.model);
  return [
    '<device>',
    `<deviceType>${kind}</deviceType>`,
    `<friendlyName>${escapeXml(name)}</friendlyName>`,
    '<manufacturer>AVM</manufacturer>',
    '<manufacturerURL>www.avm.de</manufacturerURL>',
    `<modelDescription>${escapeXml(name)}</modelDescription>`,
    `<modelName>${escapeXml(name)}</modelName>`,
    `<modelNumber>${model.replace(/^FRITZ!Box /, '')} - avm</modelNumber>`,
    '<modelURL>www.avm.de</modelURL>',
    `<UDN>uuid:75802409-bccb-40e7-8e6c-${uuidSuffix}</UDN>`,
    serviceList(services),
    children,
    '</device>',
  ].join('\n');
}

function systemVersion(firmware: string): string {
  const [hw = '0', major = '0', minor = '0'] = firmware.split('.');
  return `<systemVersion>\n<HW>${escapeXml(hw)}</HW>\n<Major>${Number(major)}</Major>\n<Minor>${Number(minor)}</Minor>\n<Patch>0</Patch>\n<Buildnumber>0</Buildnumber>\n<Display>${escapeXml(firmware)}</Display>\n</systemVersion>`;
}

export function tr64Description(box: BoxInfo): string {
  const [deviceInfo, ...wanServices] = TR064_SERVICES;
  const wanInterface = wanServices.filter((s) => !s.serviceType.includes('PPP'));
  const wanConnection = wanServices.filter((s) => s.serviceType.includes('PPP'));
  const connection = device('urn:dslforum-org:device:WANConnectionDevice:1', `WANConnectionDevice - ${box.model}`, box, '000000000003', wanConnection);
  const wan = device('urn:dslforum-org:device:WANDevice:1', `WANDevice - ${box.model}`, box, '000000000002', wanInterface, `<deviceList>\n${connection}\n</deviceList>`);
  const root = device('urn:dslforum-org:device:InternetGatewayDevice:1', box.model, box, '000000000001', deviceInfo ? [deviceInfo] : [], `<deviceList>\n${wan}\n</deviceList>\n<presentationURL>http://fritz.box</presentationURL>`);
  return `<?xml version="1.0"?>\n<root xmlns="urn:dslforum-org:device-1-0">\n<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n${systemVersion(box.firmware)}\n${root}\n</root>\n`;
}

export function igdDescription(box: BoxInfo): string {
  const wan = device('urn:schemas-upnp-org:device:WANDevice:1', `WANDevice - ${box.model}`, box, '000000000012', IGD_SERVICES);
  const root = device('urn:schemas-upnp-org:device:InternetGatewayDevice:1', box.model, box, '000000000011', [], `<deviceList>\n${wan}\n</deviceList>\n<presentationURL>http://fritz.box</presentationURL>`);
  return `<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">\n<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n${root}\n</root>\n`;
}

/** A service's SCPD: its actions with in/out argument names (state variables left generic). */
export function scpd(service: ServiceSpec, box: BoxInfo, sample: (action: string) => Record<string, unknown>): string {
  const namespace = service.auth ? 'urn:dslforum-org:service-1-0' : 'urn:schemas-upnp-org:service-1-0';
  const actions = Object.entries(service.actions).map(([name, spec]) => {
    const ins = spec.in.map((a) => `<argument><name>${a}</name><direction>in</direction><relatedStateVariable>${a.replace(/^New/, '')}</relatedStateVariable></argument>`);
    const outs = Object.keys(sample(name)).map((a) => `<argument><name>${a}</name><direction>out</direction><relatedStateVariable>${a.replace(/^New/, '')}</relatedStateVariable></argument>`);
    return `<action>\n<name>${name}</name>\n<argumentList>\n${[...ins, ...outs].join('\n')}\n</argumentList>\n</action>`;
  });
  return `<?xml version="1.0"?>\n<scpd xmlns="${namespace}">\n<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n<actionList>\n${actions.join('\n')}\n</actionList>\n<!-- ${escapeXml(box.model)} (simulated) -->\n</scpd>\n`;
}
