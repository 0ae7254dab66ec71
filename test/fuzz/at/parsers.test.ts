// The Huawei reply parsers on mutated real replies: none throws, and whatever one returns is a
// value of its type's domain (exact integers, dBm in range, names from the contract's enums,
// rates a stick can be asked for): a reply it cannot read is null, the typed failure the
// modem turns into `bad-reply`.
import fc from 'fast-check';
import t from 'tap';
import { classifyFinal, finalError } from '../../../agent/modem/channel/final-result.js';
import { lineTag } from '../../../agent/modem/channel/urc-registry.js';
import { CME_NAMES, cmeDetail, MODEM_ERROR_CODES, ModemError } from '../../../agent/modem/errors.js';
import { findNdisStat, parseCgeqneg, parseDsflowQry, parseDsflowRpt, parseNdisStat } from '../../../agent/modem/huawei/data.js';
import { fieldsOf, hexField, intField, splitFields } from '../../../agent/modem/huawei/fields.js';
import { parseAti, parseBareText, parseImei } from '../../../agent/modem/huawei/identity.js';
import { isSolicitedRegistration, parseCops, parseCsq, parseModeUrc, parseRegistration, parseRssiUrc, parseSysinfo } from '../../../agent/modem/huawei/network.js';
import { parseCpin, parseSimstUrc } from '../../../agent/modem/huawei/sim.js';
import { RegistrationSchema, TechnologySchema } from '../../../shared/contract/messages.js';
import { ALL_LINES } from '../helpers/at-corpus.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { mutatedLine, mutateLine } from '../helpers/mutate.js';

/** Every number anywhere in `value` is an exact integer (no 1e20, no 2^64 rounded, no NaN). */
function exactNumbers(value: unknown, where = 'result'): void {
  if (typeof value === 'number') expect(Number.isSafeInteger(value) || Object.is(value, -0), `${where} is ${value}, not an exact integer`);
  else if (Array.isArray(value)) value.forEach((v, i) => exactNumbers(v, `${where}[${i}]`));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) exactNumbers(v, `${where}.${k}`);
}

const dbmInRange = (dbm: number | null) => dbm === null || (dbm >= -113 && dbm <= -51 && (dbm + 113) % 2 === 0);
const technology = (tech: unknown) => tech === null || TechnologySchema.safeParse(tech).success;

/** Each line parser with what its result must satisfy when it is not null. */
const LINE_PARSERS: ReadonlyArray<readonly [string, (line: string) => unknown, (result: never) => string | null]> = [
  ['parseCsq', parseCsq, (r: NonNullable<ReturnType<typeof parseCsq>>) => (dbmInRange(r.dbm) ? null : `rssi ${r.rssi} dbm ${r.dbm}`)],
  ['parseRssiUrc', parseRssiUrc, (r: NonNullable<ReturnType<typeof parseRssiUrc>>) => (dbmInRange(r.dbm) ? null : `dbm ${r.dbm}`)],
  [
    'parseRegistration',
    parseRegistration,
    (r: NonNullable<ReturnType<typeof parseRegistration>>) =>
      RegistrationSchema.safeParse(r.registration).success && (r.lac ?? 0) >= 0 && (r.cellId ?? 0) >= 0 ? null : JSON.stringify(r),
  ],
  ['parseCops', parseCops, (r: NonNullable<ReturnType<typeof parseCops>>) => (technology(r.technology) ? null : JSON.stringify(r))],
  ['parseSysinfo', parseSysinfo, (r: NonNullable<ReturnType<typeof parseSysinfo>>) => (technology(r.technology) ? null : JSON.stringify(r))],
  ['parseModeUrc', parseModeUrc, (r: NonNullable<ReturnType<typeof parseModeUrc>>) => (technology(r.technology) ? null : JSON.stringify(r))],
  ['parseSimstUrc', parseSimstUrc, () => null],
  ['parseNdisStat', parseNdisStat, (r: NonNullable<ReturnType<typeof parseNdisStat>>) => (typeof r.connected === 'boolean' ? null : JSON.stringify(r))],
  [
    'parseDsflowQry',
    parseDsflowQry,
    (r: NonNullable<ReturnType<typeof parseDsflowQry>>) => (Object.values(r).every((v) => v >= 0) ? null : JSON.stringify(r)),
  ],
  [
    'parseDsflowRpt',
    parseDsflowRpt,
    (r: NonNullable<ReturnType<typeof parseDsflowRpt>>) => (Object.values(r).every((v) => v === null || v >= 0) ? null : JSON.stringify(r)),
  ],
  ['isSolicitedRegistration', isSolicitedRegistration, () => null],
  ['lineTag', lineTag, () => null],
  [
    'cmeDetail',
    cmeDetail,
    (r: ReturnType<typeof cmeDetail>) => (r.name === null || (Object.values(CME_NAMES) as unknown[]).includes(r.name) ? null : `name ${String(r.name)}`),
  ],
  ['splitFields', splitFields, () => null],
];

/** Parsers of whole replies (several lines). */
const REPLY_PARSERS: ReadonlyArray<readonly [string, (lines: string[]) => unknown, (result: never) => string | null]> = [
  ['parseCpin', parseCpin, (r: NonNullable<ReturnType<typeof parseCpin>>) => (['ready', 'pin', 'puk', 'other'].includes(r.status) ? null : r.status)],
  [
    'parseCgeqneg',
    (lines) => parseCgeqneg(lines, 1),
    // What +CGEQREQ can ask for (HARDWARE.md: up to 16000 kbit/s); anything else is not a grant.
    (r: NonNullable<ReturnType<typeof parseCgeqneg>>) => (r.downKbps >= 0 && r.downKbps <= 16_000 && r.upKbps >= 0 && r.upKbps <= 16_000 ? null : JSON.stringify(r)),
  ],
  ['findNdisStat', findNdisStat, () => null],
  ['parseAti', parseAti, (r: ReturnType<typeof parseAti>) => (r.imei === null || /^\d{14,17}$/.test(r.imei) ? null : JSON.stringify(r))],
  ['parseBareText', (lines) => parseBareText(lines, '+CGMI'), () => null],
  ['parseImei', parseImei, (r: string) => (/^\d{14,17}$/.test(r) ? null : r)],
];

function checkLine(line: string): void {
  for (const [name, parse, valid] of LINE_PARSERS) {
    let result: unknown;
    try {
      result = parse(line);
    } catch (error) {
      throw new Error(`${name}(${JSON.stringify(line)}) threw ${String(error)}`);
    }
    exactNumbers(result, `${name}(${JSON.stringify(line)})`);
    if (result !== null && result !== undefined) {
      const problem = valid(result as never);
      expect(problem === null, () => `${name}(${JSON.stringify(line)}) returned a value out of its domain: ${problem}`);
    }
  }
  const fields = fieldsOf(line, lineTag(line)) ?? [];
  for (let i = 0; i <= fields.length; i++) {
    exactNumbers(intField(fields, i), `intField(${JSON.stringify(line)}, ${i})`);
    exactNumbers(hexField(fields, i), `hexField(${JSON.stringify(line)}, ${i})`);
  }
  const final = classifyFinal(line);
  if (final?.kind === 'error') {
    const error = finalError(final, 'AT+TEST');
    expect(error instanceof ModemError && MODEM_ERROR_CODES.includes(error.code), `finalError(${JSON.stringify(line)}) is not a typed ModemError`);
    expect(!/[\r\n]/.test(error.message), `finalError(${JSON.stringify(line)}) message spans lines`);
    exactNumbers(error.cme ?? null, `cme of ${JSON.stringify(line)}`);
  }
}

function checkReply(lines: string[]): void {
  for (const [name, parse, valid] of REPLY_PARSERS) {
    let result: unknown;
    try {
      result = parse(lines);
    } catch (error) {
      throw new Error(`${name}(${JSON.stringify(lines)}) threw ${String(error)}`);
    }
    exactNumbers(result, `${name}(${JSON.stringify(lines)})`);
    if (result !== null && result !== undefined) {
      const problem = valid(result as never);
      expect(problem === null, () => `${name}(${JSON.stringify(lines)}) returned a value out of its domain: ${problem}`);
    }
  }
}

/** What the line framer hands a parser: printable ASCII, trimmed, not empty. */
const asFramed = (line: string) => line.replace(/[^\x20-\x7e\t]/g, '').trim();

t.test('regression examples (each found by this suite; see the report)', async (t) => {
  // hexField read 16 hex digits into a double: 2^64 − 1 came out as 18446744073709552000 bytes.
  t.equal(parseDsflowQry('^DSFLOWQRY:00000A3B,FFFFFFFFFFFFFFFF,00000000004B0000,00015180,00000000A0000000,0000000140000000'), null);
  t.equal(parseDsflowRpt('^DSFLOWRPT:0000001E,00000000,00000000,8000000000000000,0000000000001F40'), null);
  // intField read any run of digits: a 20-digit field became 1e20.
  t.equal(parseCsq('+CSQ: 99999999999999999999,99'), null);
  t.equal(parseRegistration('+CREG: 2,99999999999999999999'), null);
  // +CGEQNEG granted more than a stick can be asked for, which the status schema then refused.
  t.equal(parseCgeqneg(['+CGEQNEG: 1,2,64,99999'], 1), null);
  t.equal(parseCgeqneg(['+CGEQNEG: 1,2,-64,128'], 1), null);
  // Still read: the largest real values.
  t.equal(parseDsflowQry('^DSFLOWQRY:00000A3B,001FFFFFFFFFFFFF,0,0,0,0')?.lastTxBytes, Number.MAX_SAFE_INTEGER);
  t.same(parseCgeqneg(['+CGEQNEG: 1,2,8640,16000'], 1), { downKbps: 16000, upKbps: 8640 });
  // cmeDetail kept a 20-digit code as 1e20 …
  t.same(cmeDetail('99999999999999999999'), { code: null, name: null, text: '99999999999999999999' });
  // … and looked verbose texts up in a plain object, so `constructor` or `__proto__` named a function or an object.
  t.same(cmeDetail('constructor'), { code: null, name: null, text: 'constructor' });
  t.same(cmeDetail('__proto__'), { code: null, name: null, text: '__proto__' });
  t.equal(cmeDetail('SIM busy').name, 'sim-busy');
});

t.test('no parser throws on a mutated real line, and every result is in its domain', async (t) => {
  await fuzz(t, 'mutated lines', fc.property(mutatedLine(ALL_LINES), (line) => checkLine(line)), 1000);
  await fuzz(t, 'mutated lines as the framer hands them over', fc.property(mutatedLine(ALL_LINES).map(asFramed), (line) => checkLine(line)), 1000);
  await fuzz(t, 'any string', fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (line) => checkLine(line)), 500);
});

t.test('no reply parser throws on mutated real replies, and every result is in its domain', async (t) => {
  await fuzz(t, 'mutated replies', fc.property(fc.array(mutatedLine(ALL_LINES), { maxLength: 6 }), (lines) => checkReply(lines)), 1000);
});

t.test('the unmutated corpus parses (the domains above are not vacuous)', async (t) => {
  t.ok(parseCsq('+CSQ: 20,99'));
  t.ok(parseDsflowQry(mutateLine('^DSFLOWQRY:00000A3B,0000000000012C00,00000000004B0000,00015180,00000000A0000000,0000000140000000', [])));
  t.ok(parseCgeqneg(['+CGEQNEG: 1,2,64,128,0,0,0,1500,"0E0","0E0",3,0,0'], 1));
  for (const line of ALL_LINES) checkLine(line);
});
