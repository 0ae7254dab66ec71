import t from 'tap';
import { LineFramer, type DiscardReason } from '../../../../agent/modem/framing/line-framer.js';

function framer(options: { maxLineLength?: number } = {}) {
  const lines: string[] = [];
  const discarded: Array<{ reason: DiscardReason; bytes: number }> = [];
  const f = new LineFramer({ ...options, onDiscard: (reason, bytes) => discarded.push({ reason, bytes }) });
  f.on('data', (line: string) => lines.push(line));
  const feed = async (...chunks: Array<string | Buffer>) => {
    for (const chunk of chunks) f.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { f, lines, discarded, feed };
}

t.test('splits CR LF framed replies and drops empty lines', async (t) => {
  const { lines, feed } = framer();
  await feed('\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
  t.same(lines, ['+CSQ: 20,99', 'OK']);
});

t.test('joins a line split across reads, even between CR and LF', async (t) => {
  const { lines, feed } = framer();
  await feed('\r\n+CS', 'Q: 2', '0,99\r', '\n\r\nO', 'K\r\n');
  t.same(lines, ['+CSQ: 20,99', 'OK']);
});

t.test('two lines and a URC in one read', async (t) => {
  const { lines, feed } = framer();
  await feed('\r\nOK\r\n\r\n^RSSI:17\r\n\r\n^MODE:5,4\r\n');
  t.same(lines, ['OK', '^RSSI:17', '^MODE:5,4']);
});

t.test('strips the echo of the command in flight (ends with a bare CR), once', async (t) => {
  const { f, lines, feed } = framer();
  f.expectEcho('AT+CSQ');
  await feed('AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
  t.same(lines, ['+CSQ: 20,99', 'OK']);
  await feed('AT+CSQ\r');
  t.same(lines.at(-1), 'AT+CSQ', 'a second identical line is not an echo any more');
});

t.test('echo matching ignores case and blanks', async (t) => {
  const { f, lines, feed } = framer();
  f.expectEcho('ate0');
  await feed(' ATE0 \r\r\nOK\r\n');
  t.same(lines, ['OK']);
});

t.test('a line with bytes outside printable ASCII is dropped whole', async (t) => {
  const { lines, discarded, feed } = framer();
  await feed(Buffer.from([0x8a, 0x12, 0x41, 0xff, 0x0d, 0x0a]), '\r\nOK\r\n');
  t.same(lines, ['OK']);
  t.same(discarded, [{ reason: 'non-printable', bytes: 4 }]);
});

t.test('garbage without a line end before a reply does not glue onto it', async (t) => {
  const { lines, feed } = framer();
  await feed(Buffer.from([0x00, 0x9c, 0x31]), '\r\n+CPIN: READY\r\n\r\nOK\r\n');
  t.same(lines, ['+CPIN: READY', 'OK']);
});

t.test('discardPartial drops a truncated line so it cannot prefix the next reply', async (t) => {
  const { f, lines, discarded, feed } = framer();
  await feed('\r\n+CSQ: 2');
  f.discardPartial();
  await feed('\r\n+CPIN: READY\r\n\r\nOK\r\n');
  t.same(lines, ['+CPIN: READY', 'OK']);
  t.same(discarded, [{ reason: 'partial', bytes: 7 }]);
});

t.test('a run without line ends is dropped at the length limit, then framing resumes', async (t) => {
  const { lines, discarded, feed } = framer({ maxLineLength: 16 });
  await feed('x'.repeat(40), '\r\nOK\r\n');
  t.same(lines, ['OK']);
  t.equal(discarded[0]?.reason, 'overflow');
});

t.test('tabs are printable; surrounding blanks are trimmed', async (t) => {
  const { lines, feed } = framer();
  await feed('\r\n  Manufacturer:\thuawei  \r\n');
  t.same(lines, ['Manufacturer:\thuawei']);
});
