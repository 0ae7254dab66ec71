// Mutations of AT lines, as data (so a shrunk counterexample reads as what was done to which real
// reply): byte flips, insertions, deletions, truncation, case changes, a field duplicated or
// dropped, a field replaced by a huge or malformed number, non-ASCII text, another tag.
import fc from 'fast-check';

export type LineMutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'insert'; readonly at: number; readonly text: string }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'truncate'; readonly keep: number }
  | { readonly op: 'case'; readonly at: number; readonly length: number; readonly upper: boolean }
  | { readonly op: 'dup-field'; readonly index: number }
  | { readonly op: 'drop-field'; readonly index: number }
  | { readonly op: 'field'; readonly index: number; readonly value: string }
  | { readonly op: 'quote'; readonly index: number }
  | { readonly op: 'tag'; readonly tag: string };

/** Numbers and near-numbers no parser should take at face value. */
export const ODD_VALUES = [
  '99999999999999999999',
  '18446744073709551616',
  '9007199254740993',
  'FFFFFFFFFFFFFFFF',
  'FFFFFFFFFFFFFFFFFFFF',
  '0xFFFFFFFFFFFFFFFF',
  '8000000000000000',
  '00000000000000000000000000001',
  '-1',
  '-0',
  '+5',
  '1e400',
  '1.5',
  '0x',
  'NaN',
  'Infinity',
  '',
  ' ',
  '""',
  '"',
  '32',
  '99',
  '255',
  '16001',
  '65535',
  // Keys every plain object has: a lookup table must not answer them.
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
] as const;

/** Text that is not printable ASCII (a confused stick, a multi-byte operator name, a NUL). */
export const NON_ASCII = ['é', '\u00ff', '\u0000', '\u0007', '\u007f', '€', '🚀', '\u2028', '\ufffd', '\u00c3\u00a9', '\t', '\u001b[0m'] as const;

/** Tags of the dialect, to put a line in front of the wrong parser. */
export const TAGS = ['+CSQ', '^RSSI', '+CREG', '+CGREG', '+COPS', '^SYSINFO', '^MODE', '+CPIN', '^SIMST', '^NDISSTAT', '^NDISSTATQRY', '+CGEQNEG', '^DSFLOWQRY', '^DSFLOWRPT', '+CME ERROR', '+CGEV', 'IMEI', 'Model', 'OK'] as const;

export const lineMutation: fc.Arbitrary<LineMutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(',', ':', '"', ' ', ',,', '-', '0', 'x'), fc.constantFrom(...NON_ASCII), fc.string({ maxLength: 6 })),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ op: fc.constant('case' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }), upper: fc.boolean() }),
  fc.record({ op: fc.constant('dup-field' as const), index: fc.nat() }),
  fc.record({ op: fc.constant('drop-field' as const), index: fc.nat() }),
  fc.record({ op: fc.constant('field' as const), index: fc.nat(), value: fc.oneof(fc.constantFrom(...ODD_VALUES), fc.bigInt({ min: 0n, max: 2n ** 80n }).map(String)) }),
  fc.record({ op: fc.constant('quote' as const), index: fc.nat() }),
  fc.record({ op: fc.constant('tag' as const), tag: fc.constantFrom(...TAGS) }),
);

function splitLine(line: string): { tag: string; fields: string[] } {
  const colon = line.indexOf(':');
  if (colon < 0) return { tag: '', fields: line.split(',') };
  return { tag: line.slice(0, colon + 1), fields: line.slice(colon + 1).split(',') };
}

function joinLine(tag: string, fields: readonly string[]): string {
  return tag + fields.join(',');
}

export function applyMutation(line: string, m: LineMutation): string {
  const at = (n: number) => n % (line.length + 1);
  switch (m.op) {
    case 'flip': {
      if (line.length === 0) return line;
      const i = m.at % line.length;
      return line.slice(0, i) + String.fromCharCode((line.charCodeAt(i) ^ (1 << m.bit)) & 0xff) + line.slice(i + 1);
    }
    case 'insert':
      return line.slice(0, at(m.at)) + m.text + line.slice(at(m.at));
    case 'delete':
      return line.slice(0, at(m.at)) + line.slice(at(m.at) + m.length);
    case 'truncate':
      return line.slice(0, at(m.keep));
    case 'case': {
      const i = at(m.at);
      const part = line.slice(i, i + m.length);
      return line.slice(0, i) + (m.upper ? part.toUpperCase() : part.toLowerCase()) + line.slice(i + m.length);
    }
    case 'dup-field': {
      const { tag, fields } = splitLine(line);
      const i = m.index % fields.length;
      fields.splice(i, 0, fields[i]!);
      return joinLine(tag, fields);
    }
    case 'drop-field': {
      const { tag, fields } = splitLine(line);
      fields.splice(m.index % fields.length, 1);
      return joinLine(tag, fields);
    }
    case 'field': {
      const { tag, fields } = splitLine(line);
      fields[m.index % fields.length] = m.value;
      return joinLine(tag, fields);
    }
    case 'quote': {
      const { tag, fields } = splitLine(line);
      const i = m.index % fields.length;
      const field = fields[i]!;
      fields[i] = field.startsWith('"') ? field.replace(/"/g, '') : `"${field.trim()}"`;
      return joinLine(tag, fields);
    }
    case 'tag': {
      const { tag, fields } = splitLine(line);
      return tag === '' ? `${m.tag}: ${joinLine('', fields)}` : joinLine(`${m.tag}:`, fields);
    }
  }
}

export function mutateLine(line: string, mutations: readonly LineMutation[]): string {
  return mutations.reduce(applyMutation, line);
}

/** A real line with one to four mutations (or none, a quarter of the time). */
export function mutatedLine(corpus: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...corpus), fc.oneof({ weight: 1, arbitrary: fc.constant([] as LineMutation[]) }, { weight: 3, arbitrary: fc.array(lineMutation, { minLength: 1, maxLength: 4 }) }))
    .map(([line, mutations]) => mutateLine(line, mutations));
}

/** Splits `bytes` at the given cut points (any order, any value: taken modulo the length). */
export function splitAt(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  if (bytes.length === 0) return [bytes];
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks.filter((c) => c.length > 0);
}

/** Random noise a confused stick sends: every CR/LF-separated piece holds a non-printable byte. */
export const noise: fc.Arbitrary<Buffer> = fc
  .tuple(fc.uint8Array({ maxLength: 24 }), fc.integer({ min: 0x80, max: 0xff }), fc.nat())
  .map(([bytes, bad, at]) => {
    const pieces = Buffer.from(bytes)
      .toString('latin1')
      .split(/[\r\n]+/)
      .map((piece) => {
        const i = at % (piece.length + 1);
        return /[^\x20-\x7e\t]/.test(piece) ? piece : piece.slice(0, i) + String.fromCharCode(bad) + piece.slice(i);
      });
    return Buffer.from(pieces.join('\r\n'), 'latin1');
  });
