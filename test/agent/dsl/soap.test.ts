// SOAP envelopes, responses, faults and the description document, with the quirks of real boxes.
import t from 'tap';
import { parseDescription, parseSoapFault, parseSoapResponse, soapEnvelope } from '../../../agent/dsl/soap.js';

t.test('the request envelope names the action in its service namespace, arguments escaped', async (t) => {
  const xml = soapEnvelope('urn:dslforum-org:service:WANPPPConnection:1', 'SetThing', { NewValue: 'a<b&"c"', NewCount: 3 });
  t.match(xml, /<u:SetThing xmlns:u="urn:dslforum-org:service:WANPPPConnection:1"><NewValue>a&lt;b&amp;&quot;c&quot;<\/NewValue><NewCount>3<\/NewCount><\/u:SetThing>/);
  t.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?><s:Envelope/);
});

t.test('a response: out arguments by name, whitespace trimmed, entities decoded, any prefix', async (t) => {
  const xml = `<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
<s:Body>
<u:GetInfoResponse xmlns:u="urn:dslforum-org:service:DeviceInfo:1">
<NewManufacturerName>AVM</NewManufacturerName>
<NewModelName>
  FRITZ!Box 7490
</NewModelName>
<NewDescription>FRITZ!Box 7490 &amp; more</NewDescription>
<NewDeviceLog/>
</u:GetInfoResponse>
</s:Body>
</s:Envelope>`;
  t.same(parseSoapResponse(xml, 'GetInfo'), {
    NewManufacturerName: 'AVM',
    NewModelName: 'FRITZ!Box 7490',
    NewDescription: 'FRITZ!Box 7490 & more',
    NewDeviceLog: '',
  });
  t.equal(parseSoapResponse(xml, 'GetStatusInfo'), null, 'another action is not there');
  t.same(parseSoapResponse('<m:GetXResponse xmlns:m="x"><NewA>1</NewA></m:GetXResponse>', 'GetX'), { NewA: '1' });
});

t.test('a UPnP fault: code and description', async (t) => {
  const xml = `<?xml version="1.0"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>
<detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode> 606 </errorCode><errorDescription>Action Not Authorized</errorDescription></UPnPError></detail>
</s:Fault></s:Body></s:Envelope>`;
  t.same(parseSoapFault(xml), { errorCode: 606, errorDescription: 'Action Not Authorized' });
  t.same(parseSoapFault('<s:Fault><faultstring>oops</faultstring></s:Fault>'), { errorCode: null, errorDescription: 'oops' });
  t.equal(parseSoapFault('<ok/>'), null);
});

t.test('the description document: every service, nested devices included', async (t) => {
  const xml = `<?xml version="1.0"?>
<root xmlns="urn:dslforum-org:device-1-0">
<device><deviceType>urn:dslforum-org:device:InternetGatewayDevice:1</deviceType>
<serviceList>
<service><serviceType>urn:dslforum-org:service:DeviceInfo:1</serviceType><serviceId>urn:DeviceInfo-com:serviceId:DeviceInfo1</serviceId>
<controlURL>/upnp/control/deviceinfo</controlURL><eventSubURL>/upnp/control/deviceinfo</eventSubURL><SCPDURL>/deviceinfoSCPD.xml</SCPDURL></service>
</serviceList>
<deviceList><device><deviceType>urn:dslforum-org:device:WANDevice:1</deviceType><serviceList>
<service><serviceType> urn:dslforum-org:service:WANCommonInterfaceConfig:1 </serviceType>
<controlURL>/upnp/control/wancommonifconfig1</controlURL></service>
</serviceList></device></deviceList>
</device></root>`;
  t.same(parseDescription(xml), [
    { serviceType: 'urn:dslforum-org:service:DeviceInfo:1', controlUrl: '/upnp/control/deviceinfo', scpdUrl: '/deviceinfoSCPD.xml' },
    { serviceType: 'urn:dslforum-org:service:WANCommonInterfaceConfig:1', controlUrl: '/upnp/control/wancommonifconfig1', scpdUrl: null },
  ]);
  t.same(parseDescription('<root/>'), []);
});
