// The line framer on byte streams of real, mutated and random replies, cut at random byte
// boundaries: the lines it hands on are the same however the stream is split, and the same as a
// plain reference reading of the whole stream (split at CR/LF, drop noise and overlong lines,
// trim, drop empties, drop the first echo of the command).
import { finished } from 'node:stream/promises';
import fc from 'fast-check';
import t from 'tap';
import { LineFramer } from '../../../agent/modem/framing/line-framer.js';
import { ALL_LINES, framed } from '../helpers/at-corpus.js';
import { expect, fuzz } from '../helpers/fuzz.js';
import { referenceLines as reference } from '../helpers/framing-reference.js';
import { mutatedLine, noise, splitAt } from '../helpers/mutate.js';

async function frame(chunks: readonly Buffer[], maxLineLength: number, echo: string | null): Promise<string[]> {
  const framer = new LineFramer({ maxLineLength });
  const lines: string[] = [];
  framer.on('data', (line: string) => lines.push(line));
  framer.expectEcho(echo);
  for (const chunk of chunks) framer.write(chunk);
  framer.end();
  await finished(framer);
  return lines;
}

/** A piece of what a stick sends: a framed line (real or mutated), an echo, noise, bare CR/LF, anything. */
const piece: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: mutatedLine(ALL_LINES).map((line) => framed(line)) },
  { weight: 1, arbitrary: fc.constantFrom('AT+CSQ\r', 'at+csq\r', ' AT+CSQ \r\n') },
  { weight: 1, arbitrary: noise.map((b) => b.toString('latin1')) },
  { weight: 1, arbitrary: fc.constantFrom('\r', '\n', '\r\n', '\n\r', '\r\r\n\n') },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 30, maxLength: 90 }).map((s) => `${s}\r\n`) },
);

const stream = fc.array(piece, { maxLength: 12 }).map((pieces) => Buffer.from(pieces.join(''), 'latin1'));
const cuts = fc.array(fc.nat(), { maxLength: 20 });
const limits = fc.constantFrom(2048, 64, 32);
const echoes = fc.constantFrom(null, 'AT+CSQ');

t.test('examples', async (t) => {
  t.same(await frame([Buffer.from('\r\nO'), Buffer.from('K\r\n')], 2048, null), ['OK'], 'a final result split in two');
  t.same(await frame([Buffer.from('\r\n\u00ffOK\r\n', 'latin1')], 2048, null), [], 'OK glued to noise is noise');
  t.same(await frame([Buffer.from('AT+CSQ\r\r\n+CSQ: 20,99\r\n')], 2048, 'AT+CSQ'), ['+CSQ: 20,99'], 'the echo vanishes');
});

t.test('the lines are the same however the stream is split, and match the reference reading', async (t) => {
  await fuzz(
    t,
    'random splits',
    fc.asyncProperty(stream, cuts, limits, echoes, async (bytes, at, max, echo) => {
      const whole = await frame([bytes], max, echo);
      const split = await frame(splitAt(bytes, at), max, echo);
      const bytewise = await frame([...bytes].map((b) => Buffer.from([b])), max, echo);
      const expected = reference(bytes, max, echo);
      expect(JSON.stringify(split) === JSON.stringify(whole), () => `split ${JSON.stringify(split)} ≠ whole ${JSON.stringify(whole)}`);
      expect(JSON.stringify(bytewise) === JSON.stringify(whole), () => `byte by byte ${JSON.stringify(bytewise)} ≠ whole ${JSON.stringify(whole)}`);
      expect(JSON.stringify(whole) === JSON.stringify(expected), () => `framer ${JSON.stringify(whole)} ≠ reference ${JSON.stringify(expected)}`);
      for (const line of whole) expect(/^[\x20-\x7e\t]+$/.test(line) && line === line.trim(), `a line that is not printable, trimmed ASCII: ${JSON.stringify(line)}`);
    }),
    500,
  );
});

t.test('a valid reply frames to exactly its lines, whatever the split and line endings', async (t) => {
  const printable = fc.constantFrom(...ALL_LINES);
  const ending = fc.constantFrom((l: string) => `\r\n${l}\r\n`, (l: string) => `${l}\r\n`, (l: string) => `${l}\r`, (l: string) => `${l}\n`);
  await fuzz(
    t,
    'valid replies',
    fc.asyncProperty(fc.array(fc.tuple(printable, ending), { minLength: 1, maxLength: 8 }), cuts, async (lines, at) => {
      const bytes = Buffer.from(lines.map(([line, end]) => end(line)).join(''), 'latin1');
      const got = await frame(splitAt(bytes, at), 2048, null);
      expect(JSON.stringify(got) === JSON.stringify(lines.map(([line]) => line)), () => `got ${JSON.stringify(got)}`);
    }),
    500,
  );
});
