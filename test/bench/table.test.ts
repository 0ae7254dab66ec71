import t from 'tap';
import { formatNumber, formatRatio, markdownReport, textTable } from '../../bench/lib/table.js';
import type { RunReport } from '../../bench/lib/types.js';

const report: RunReport = {
  mode: 'full',
  startedAt: '2026-01-15T12:00:00.000Z',
  durationS: 1234,
  machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 24, os: 'Linux 6', node: 'v20.0.0', loadAverage: [0.5, 0.4, 0.3] },
  results: [
    {
      name: 'api',
      title: 'HTTP API',
      durationS: 30,
      figures: [
        { name: 'GET /devices/:id', value: 4321.5, unit: 'req/s', baseline: { name: 'bare | Fastify', value: 8643 }, goal: '≥ 50 %', met: true, ratio: 0.5 },
        { name: 'no baseline', value: 0.0123, unit: 'ms', ratio: null },
      ],
      notes: ['what ran'],
    },
    { name: 'fleet', title: 'Fleet', durationS: 1, figures: [], notes: [], error: 'broker gone' },
  ],
};

t.test('numbers read as people read them', async (t) => {
  t.equal(formatNumber(4321.5), '4,322');
  t.equal(formatNumber(12.345), '12.3');
  t.equal(formatNumber(1.2345), '1.23');
  t.equal(formatNumber(0.012345), '0.012');
  t.equal(formatNumber(0), '0');
  t.equal(formatRatio(0.5), '0.50×');
  t.equal(formatRatio(123.4), '123×');
  t.equal(formatRatio(null), '');
});

t.test('the text table has one line per figure, the baseline and ratio beside it, and failures', async (t) => {
  const text = textTable(report);
  const lines = text.trimEnd().split('\n');
  t.match(lines[0], /^bench\s+figure\s+value\s+baseline \(same run\)\s+ratio\s+goal\s+met$/);
  t.match(text, /api\s+GET \/devices\/:id\s+4,322 req\/s\s+8,643 req\/s \(bare \| Fastify\)\s+0\.50×\s+≥ 50 %\s+yes/);
  t.match(text, /no baseline\s+0\.012 ms/);
  t.match(text, /fleet\s+FAILED: broker gone/);
});

t.test('the Markdown report names the machine, escapes pipes and keeps the notes', async (t) => {
  const md = markdownReport(report);
  t.match(md, /Test CPU, 2 cores, 24\.0 GiB, Linux 6, Node v20\.0\.0; load average at start 0\.5 0\.4 0\.3/);
  t.match(md, /\| api \| GET \/devices\/:id \| 4,322 req\/s \| 8,643 req\/s \(bare \\\| Fastify\) \| 0\.50× \| ≥ 50 % \| yes \|/);
  t.match(md, /\*\*api\*\* \(HTTP API\):\n- what ran/);
});
