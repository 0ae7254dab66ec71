// Reply parsers of the SIM, identity and data side, on real reply strings with their quirks.
import t from 'tap';
import { findNdisStat, parseCgeqneg, parseDsflowQry, parseDsflowRpt, parseNdisStat } from '../../../../agent/modem/huawei/data.js';
import { fieldsOf, splitFields } from '../../../../agent/modem/huawei/fields.js';
import { parseAti, parseBareText, parseImei } from '../../../../agent/modem/huawei/identity.js';
import { parseCpin, parseSimstUrc } from '../../../../agent/modem/huawei/sim.js';

t.test('+CPIN? quoted or not, any case', async (t) => {
  t.same(parseCpin(['+CPIN: READY']), { status: 'ready', raw: 'READY' });
  t.same(parseCpin(['+CPIN:READY'])?.status, 'ready');
  t.same(parseCpin(['+CPIN: "SIM PIN"'])?.status, 'pin');
  t.same(parseCpin(['+CPIN: SIM PUK'])?.status, 'puk');
  t.same(parseCpin(['+cpin: sim pin'])?.status, 'pin');
  t.same(parseCpin(['+CPIN: SIM PIN2'])?.status, 'other');
  t.same(parseCpin(['+CPIN: PH-NET PIN'])?.status, 'other');
  t.equal(parseCpin(['+CPIN: ']), null);
  t.equal(parseCpin(['OK']), null);
});

t.test('^SIMST', async (t) => {
  t.equal(parseSimstUrc('^SIMST:255'), 255);
  t.equal(parseSimstUrc('^SIMST: 1'), 1);
  t.equal(parseSimstUrc('^SIMST:1,0'), 1);
  t.equal(parseSimstUrc('^SIMST:'), null);
});

t.test('^NDISSTAT URC and ^NDISSTATQRY? reply, any tag case', async (t) => {
  t.same(parseNdisStat('^NDISSTAT: 1,,,"IPV4"'), { connected: true, cause: null, pdpType: 'IPV4' });
  t.same(parseNdisStat('^NDISSTAT:0,33,,"IPV4"'), { connected: false, cause: 33, pdpType: 'IPV4' });
  t.same(parseNdisStat('^NDISSTATQRY: 1,,,"IPV4"')?.connected, true);
  t.same(parseNdisStat('^NDISSTATQry:1'), { connected: true, cause: null, pdpType: null });
  t.same(parseNdisStat('^NDISSTATQRY: 0,,,"IPV4",0,,,"IPV6"')?.connected, false);
  t.same(findNdisStat(['^RSSI:12', '^NDISSTATQry: 1,,,"IPV4"']), { connected: true, cause: null, pdpType: 'IPV4' });
  t.equal(parseNdisStat('^NDISSTAT:'), null);
  t.equal(findNdisStat([]), null);
});

t.test('+CGEQNEG: negotiated rates for the cid', async (t) => {
  t.same(parseCgeqneg(['+CGEQNEG: 1,2,64,128,0,0,0,1500,"0E0","0E0",3,0,0'], 1), { downKbps: 128, upKbps: 64 });
  t.same(parseCgeqneg(['+CGEQNEG: 2,2,384,384', '+CGEQNEG:1,3,1408,3584'], 1), { downKbps: 3584, upKbps: 1408 });
  t.equal(parseCgeqneg([], 1), null, 'no active context: only OK');
  t.equal(parseCgeqneg(['+CGEQNEG: 1,2,,'], 1), null);
});

t.test('^DSFLOWQRY: hex in either case, with or without 0x', async (t) => {
  t.same(parseDsflowQry('^DSFLOWQRY:00000A3B,0000000000012C00,00000000004B0000,00015180,00000000A0000000,0000000140000000'), {
    lastSeconds: 0xa3b,
    lastTxBytes: 0x12c00,
    lastRxBytes: 0x4b0000,
    totalSeconds: 0x15180,
    totalTxBytes: 0xa0000000,
    totalRxBytes: 0x140000000,
  });
  t.same(parseDsflowQry('^DSFLOWQRY: 00000a3b,0000000000012c00,00000000004b0000,00015180,00000000a0000000,0000000140000000')?.totalRxBytes, 0x140000000);
  t.same(parseDsflowQry('^DSFLOWQRY:0x0000000A,0x10,0x20,0x0000000B,0x30,0x40')?.lastRxBytes, 0x20);
  t.equal(parseDsflowQry('^DSFLOWQRY:0000000A,10,20'), null, 'fields missing');
  t.equal(parseDsflowQry('^DSFLOWQRY:0000000A,zz,20,0,0,0'), null, 'not hex');
});

t.test('^DSFLOWRPT with and without the QoS pair', async (t) => {
  t.same(parseDsflowRpt('^DSFLOWRPT:0000001E,00000000,00000000,0000000000003E80,0000000000001F40,00003E80,00001F40'), {
    seconds: 30,
    txRate: 0,
    rxRate: 0,
    txBytes: 0x3e80,
    rxBytes: 0x1f40,
    qosTxRate: 0x3e80,
    qosRxRate: 0x1f40,
  });
  t.same(parseDsflowRpt('^DSFLOWRPT: 0000001e,00000010,00000020,0000000000000100,0000000000000200')?.qosTxRate, null);
  t.equal(parseDsflowRpt('^DSFLOWRPT:1,2'), null);
});

t.test('ATI and the bare identity replies', async (t) => {
  t.same(parseAti(['Manufacturer: huawei', 'Model: E173', 'Revision: 11.126.85.00.209', 'IMEI: 353142040000003', '+GCAP: +CGSM,+DS,+ES']), {
    manufacturer: 'huawei',
    model: 'E173',
    revision: '11.126.85.00.209',
    imei: '353142040000003',
  });
  t.same(parseAti(['Manufacturer:huawei', 'MODEL: E1750']), { manufacturer: 'huawei', model: 'E1750', revision: null, imei: null });
  t.equal(parseBareText(['huawei'], '+CGMI'), 'huawei');
  t.equal(parseBareText(['+CGMI: "huawei"'], '+CGMI'), 'huawei');
  t.equal(parseBareText(['+cgmm:E173'], '+CGMM'), 'E173');
  t.equal(parseBareText([], '+CGMM'), null);
  t.equal(parseImei(['353142040000003']), '353142040000003');
  t.equal(parseImei(['+CGSN: "353142040000003"']), '353142040000003');
  t.equal(parseImei(['x!', '35314204']), null, 'too short');
});

t.test('field splitting: quotes, commas inside quotes, blanks', async (t) => {
  t.same(
    splitFields(' 0,0,"KPN, NL" ,2').map((f) => f.text),
    ['0', '0', 'KPN, NL', '2'],
  );
  t.same(splitFields(''), []);
  t.same(fieldsOf('^SYSINFO:2,4,5,3,1,,', '^SYSINFO')?.length, 7);
  t.equal(fieldsOf('no colon here', 'X'), null);
});
