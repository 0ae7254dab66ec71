// Reply parsers of the radio side, on reply strings as Huawei firmwares write them (with their
// quirks: spaces or not, trailing empties, missing fields, case, hex forms).
import t from 'tap';
import {
  isSolicitedRegistration,
  parseCops,
  parseCsq,
  parseModeUrc,
  parseRegistration,
  parseRssiUrc,
  parseSysinfo,
  rssiToDbm,
} from '../../../../agent/modem/huawei/network.js';

t.test('+CSQ: dBm = −113 + 2·rssi, 99 unknown', async (t) => {
  t.same(parseCsq('+CSQ: 20,99'), { rssi: 20, dbm: -73, ber: null });
  t.same(parseCsq('+CSQ:0,0'), { rssi: 0, dbm: -113, ber: 0 });
  t.same(parseCsq('+CSQ: 31,3'), { rssi: 31, dbm: -51, ber: 3 });
  t.same(parseCsq('+CSQ: 99,99'), { rssi: 99, dbm: null, ber: null });
  t.same(parseCsq('+csq: 12, 99'), { rssi: 12, dbm: -89, ber: null }, 'lower case tag, space after comma');
  t.equal(parseCsq('+CSQ:'), null);
  t.equal(parseCsq('+CREG: 1'), null);
  t.equal(rssiToDbm(32), null);
  t.equal(rssiToDbm(-1), null);
});

t.test('^RSSI with and without a space', async (t) => {
  t.same(parseRssiUrc('^RSSI:17'), { dbm: -79 });
  t.same(parseRssiUrc('^RSSI: 17'), { dbm: -79 });
  t.same(parseRssiUrc('^RSSI:99'), { dbm: null });
  t.equal(parseRssiUrc('^RSSI:'), null);
  t.equal(parseRssiUrc('^MODE:5,4'), null);
});

t.test('+CREG?/+CGREG? solicited forms', async (t) => {
  t.same(parseRegistration('+CREG: 0,1'), { form: 'solicited', domain: 'cs', mode: 0, registration: 'home', lac: null, cellId: null, act: null });
  t.same(parseRegistration('+CREG: 2,1,"00C3","0000001A"'), { form: 'solicited', domain: 'cs', mode: 2, registration: 'home', lac: 0xc3, cellId: 0x1a, act: null });
  t.same(parseRegistration('+CGREG: 2,5,"00c3","0000001a",2'), { form: 'solicited', domain: 'ps', mode: 2, registration: 'roaming', lac: 0xc3, cellId: 0x1a, act: 2 });
  t.same(parseRegistration('+CREG:2,2'), { form: 'solicited', domain: 'cs', mode: 2, registration: 'searching', lac: null, cellId: null, act: null });
  t.same(parseRegistration('+CGREG: 2,1,00C3,0000001A')?.form, 'solicited', 'unquoted lac/ci: a long last field is a cell id');
  t.same(parseRegistration('+CREG: 2,1,"0x00C3","0x0000001A"')?.lac, 0xc3, '0x prefixed hex');
});

t.test('+CREG/+CGREG unsolicited forms', async (t) => {
  t.same(parseRegistration('+CREG: 1'), { form: 'unsolicited', domain: 'cs', mode: null, registration: 'home', lac: null, cellId: null, act: null });
  t.same(parseRegistration('+CGREG: 3'), { form: 'unsolicited', domain: 'ps', mode: null, registration: 'denied', lac: null, cellId: null, act: null });
  t.same(parseRegistration('+CREG: 5,"00C3","0000001B"'), { form: 'unsolicited', domain: 'cs', mode: null, registration: 'roaming', lac: 0xc3, cellId: 0x1b, act: null });
  t.same(parseRegistration('+CGREG: 1,"00C3","0000001B",6'), { form: 'unsolicited', domain: 'ps', mode: null, registration: 'home', lac: 0xc3, cellId: 0x1b, act: 6 });
  t.same(parseRegistration('+CGREG: 1,00C3,0000001B,6')?.form, 'unsolicited', 'unquoted: a one-digit last field is the AcT');
  t.equal(parseRegistration('+CREG: 0')?.registration, 'not-registered');
  t.equal(parseRegistration('+CREG: 4')?.registration, 'unknown');
  t.equal(parseRegistration('+CREG: 9')?.registration, 'unknown', 'later releases\' codes count as unknown');
});

t.test('isSolicitedRegistration tells the reply from the URC', async (t) => {
  t.ok(isSolicitedRegistration('+CREG: 2,1'));
  t.ok(isSolicitedRegistration('+CGREG: 2,1,"00C3","0000001A",2'));
  t.notOk(isSolicitedRegistration('+CREG: 1'));
  t.notOk(isSolicitedRegistration('+CREG: 1,"00C3","0000001A",2'));
  t.notOk(isSolicitedRegistration('+CREG:'));
  t.equal(parseRegistration('+CREG: a,b'), null);
  t.equal(parseRegistration('+CREG: 1,2,3,4,5,6'), null);
});

t.test('+COPS?', async (t) => {
  t.same(parseCops('+COPS: 0,0,"KPN NL",2'), { mode: 0, operator: 'KPN NL', technology: 'umts' });
  t.same(parseCops('+COPS: 0,2,"20408",6'), { mode: 0, operator: '20408', technology: 'hspa' });
  t.same(parseCops('+COPS:1,0,"vodafone NL"'), { mode: 1, operator: 'vodafone NL', technology: null });
  t.same(parseCops('+COPS: 0'), { mode: 0, operator: null, technology: null }, 'not registered');
  t.same(parseCops('+COPS: 0,0,"KPN",7'), { mode: 0, operator: 'KPN', technology: null }, 'LTE is not a UMTS technology');
  t.equal(parseCops('+COPS: ,,'), null);
});

t.test('^SYSINFO with its firmware variants', async (t) => {
  t.same(parseSysinfo('^SYSINFO:2,3,0,5,1,,4'), { serviceStatus: 2, serviceDomain: 3, roaming: false, sysMode: 5, simState: 1, submode: 4, technology: 'umts' });
  t.same(parseSysinfo('^SYSINFO:2,4,5,3,1,,'), { serviceStatus: 2, serviceDomain: 4, roaming: null, sysMode: 3, simState: 1, submode: null, technology: 'gsm' }, 'trailing empties');
  t.same(parseSysinfo('^SYSINFO: 2,3,0,5,1')?.technology, 'umts', 'short form, space after colon');
  t.equal(parseSysinfo('^SYSINFO:2,3,0,5,1,0,7')?.technology, 'hspa');
  t.equal(parseSysinfo('^SYSINFO:2,3,0,5,1,,9')?.technology, 'hspa', 'HSPA+ counts as HSPA');
  t.equal(parseSysinfo('^SYSINFO:2,3,0,3,1,,3')?.technology, 'edge');
  t.equal(parseSysinfo('^SYSINFO:0,0,0,0,1,,0')?.technology, null, 'no service');
  t.equal(parseSysinfo('^sysinfo:2,3,0,5,1,,5')?.technology, 'hsdpa', 'lower case tag');
  t.equal(parseSysinfo('^SYSINFO:'), null);
});

t.test('^MODE', async (t) => {
  t.same(parseModeUrc('^MODE:5,4'), { sysMode: 5, technology: 'umts' });
  t.same(parseModeUrc('^MODE: 5,6'), { sysMode: 5, technology: 'hsupa' });
  t.same(parseModeUrc('^MODE:3,2'), { sysMode: 3, technology: 'gprs' });
  t.same(parseModeUrc('^MODE:3'), { sysMode: 3, technology: 'gsm' });
  t.same(parseModeUrc('^MODE:0,0'), { sysMode: 0, technology: null });
  t.equal(parseModeUrc('^MODE:'), null);
});
