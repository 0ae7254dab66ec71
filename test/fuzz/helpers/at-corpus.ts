// Real AT replies of Huawei E-series sticks, as the modem tests (test/agent/modem) and
// HARDWARE.md give them: information lines by the command that asks for them, unsolicited codes,
// and final results. The fuzz tests mutate these rather than invent replies from nothing, so
// most inputs are near misses of what a stick really sends.

/** Information lines per command, quirks included (spaces or not, case, trailing empties, hex forms). */
export const REPLIES: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'AT+CSQ': [['+CSQ: 20,99'], ['+CSQ:0,0'], ['+CSQ: 31,3'], ['+CSQ: 99,99'], ['+csq: 12, 99']],
  'AT+CREG?': [['+CREG: 0,1'], ['+CREG: 2,1,"00C3","0000001A"'], ['+CREG:2,2'], ['+CREG: 2,1,"0x00C3","0x0000001A"'], ['+CREG: 2,1,00C3,0000001A']],
  'AT+CGREG?': [['+CGREG: 2,5,"00c3","0000001a",2'], ['+CGREG: 2,1,"00C3","0000001A",6'], ['+CGREG: 0,1'], ['+CGREG: 2,1,00C3,0000001A']],
  'AT+COPS?': [['+COPS: 0,0,"KPN NL",2'], ['+COPS: 0,2,"20408",6'], ['+COPS:1,0,"vodafone NL"'], ['+COPS: 0'], ['+COPS: 0,0,"KPN",7'], ['+COPS: 0,0,"KPN, NL",2']],
  'AT^SYSINFO': [['^SYSINFO:2,3,0,5,1,,4'], ['^SYSINFO:2,4,5,3,1,,'], ['^SYSINFO: 2,3,0,5,1'], ['^SYSINFO:2,3,0,5,1,0,7'], ['^SYSINFO:0,0,0,0,1,,0'], ['^sysinfo:2,3,0,5,1,,5']],
  'AT+CPIN?': [['+CPIN: READY'], ['+CPIN:READY'], ['+CPIN: "SIM PIN"'], ['+CPIN: SIM PUK'], ['+cpin: sim pin'], ['+CPIN: PH-NET PIN']],
  'AT^NDISSTATQRY?': [['^NDISSTATQRY: 1,,,"IPV4"'], ['^NDISSTATQry:1'], ['^NDISSTATQRY: 0,,,"IPV4",0,,,"IPV6"'], ['^NDISSTATQRY: 0,33,,"IPV4"']],
  'AT+CGEQNEG=1': [['+CGEQNEG: 1,2,64,128,0,0,0,1500,"0E0","0E0",3,0,0'], ['+CGEQNEG: 2,2,384,384', '+CGEQNEG:1,3,1408,3584'], []],
  'AT^DSFLOWQRY': [
    ['^DSFLOWQRY:00000A3B,0000000000012C00,00000000004B0000,00015180,00000000A0000000,0000000140000000'],
    ['^DSFLOWQRY: 00000a3b,0000000000012c00,00000000004b0000,00015180,00000000a0000000,0000000140000000'],
    ['^DSFLOWQRY:0x0000000A,0x10,0x20,0x0000000B,0x30,0x40'],
  ],
  ATI: [
    ['Manufacturer: huawei', 'Model: E173', 'Revision: 11.126.85.00.209', 'IMEI: 353142040000003', '+GCAP: +CGSM,+DS,+ES'],
    ['Manufacturer:huawei', 'MODEL: E1750'],
    ['E1750'],
  ],
  'AT+CGMI': [['huawei'], ['+CGMI: "huawei"']],
  'AT+CGMM': [['E173'], ['+cgmm:E173']],
  'AT+CGSN': [['353142040000003'], ['+CGSN: "353142040000003"']],
};

/** Unsolicited codes as sticks send them (HARDWARE.md "Unsolicited codes arrive anywhere"). */
export const URCS: readonly string[] = [
  '^RSSI:17',
  '^RSSI: 17',
  '^RSSI:99',
  '^MODE:5,4',
  '^MODE:3,3',
  '^MODE:0,0',
  '^BOOT:12345678,0,0,0,72',
  '^DSFLOWRPT:0000001E,00000000,00000000,0000000000003E80,0000000000001F40,00003E80,00001F40',
  '^DSFLOWRPT: 0000001e,00000010,00000020,0000000000000100,0000000000000200',
  '^NDISSTAT: 1,,,"IPV4"',
  '^NDISSTAT:0,33,,"IPV4"',
  '+CREG: 1',
  '+CREG: 5,"00C3","0000001B"',
  '+CGREG: 1,"00C3","0000001B",6',
  '+CGREG: 3',
  '^SRVST:2',
  '^SIMST:255',
  '^SIMST: 1',
  '+CGEV: NW DETACH',
];

/** Final results (V.250, 27.007 and Huawei's), in the forms sticks send them. */
export const FINALS: readonly string[] = [
  'OK',
  'ERROR',
  '+CME ERROR: 10',
  '+CME ERROR: 14',
  '+CME ERROR: 16',
  '+CME ERROR: 127',
  '+CME ERROR: SIM busy',
  '+CME ERROR: incorrect password',
  '+CME ERROR: 999',
  '+CMS ERROR: 500',
  'COMMAND NOT SUPPORT',
  'NO CARRIER',
  'BUSY',
  'NO ANSWER',
  'NO DIALTONE',
  'CONNECT',
  'CONNECT 7200000',
];

/** Every information line and URC above, for parsers that take any line. */
export const ALL_LINES: readonly string[] = [...Object.values(REPLIES).flat(2), ...URCS, ...FINALS];

/** A reply framed as the stick frames it: `\r\n<line>\r\n` per line. */
export function framed(...lines: readonly string[]): string {
  return lines.map((line) => `\r\n${line}\r\n`).join('');
}
