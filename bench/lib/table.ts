// The run's results as a text table (stdout) and as Markdown (for the README's performance
// section). Pure: report in, text out.
import type { BenchResult, RunReport } from './types.js';

/** A number as people read it: 3 significant digits below 100, whole numbers above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(2);
}

export function formatRatio(ratio: number | null): string {
  if (ratio === null) return '';
  return `${ratio >= 100 ? Math.round(ratio) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

const metText = (met: boolean | undefined) => (met === undefined ? '' : met ? 'yes' : 'NO');

interface Row {
  readonly cells: readonly string[];
}

function rowsOf(results: readonly BenchResult[]): Row[] {
  const rows: Row[] = [];
  for (const result of results) {
    if (result.error) rows.push({ cells: [result.name, `FAILED: ${result.error}`, '', '', '', '', ''] });
    for (const figure of result.figures) {
      rows.push({
        cells: [
          result.name,
          figure.name,
          `${formatNumber(figure.value)} ${figure.unit}`,
          figure.baseline ? `${formatNumber(figure.baseline.value)} ${figure.unit} (${figure.baseline.name})` : '',
          formatRatio(figure.ratio),
          figure.goal ?? '',
          metText(figure.met),
        ],
      });
    }
  }
  return rows;
}

const HEADER = ['bench', 'figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'met'] as const;

/** A fixed-width text table, one figure per line. */
export function textTable(report: RunReport): string {
  const rows = [{ cells: [...HEADER] }, ...rowsOf(report.results)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => (r.cells[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(rows[0]!.cells), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map((r) => line(r.cells))];
  return `${out.join('\n')}\n`;
}

/** The same as a Markdown table, with the machine it ran on and every benchmark's notes. */
export function markdownReport(report: RunReport): string {
  const m = report.machine;
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    `Measured ${report.startedAt.slice(0, 10)} (${report.mode} run, ${formatNumber(report.durationS)} s) on ${m.cpu}, ${m.cores} cores, ${formatNumber(m.memoryGiB)} GiB, ${m.os}, Node ${m.node}; load average at start ${m.loadAverage.map((l) => l.toFixed(1)).join(' ')}.`,
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map(() => '---').join('|')}|`,
    ...rowsOf(report.results).map((r) => `| ${r.cells.map(escape).join(' | ')} |`),
    '',
  ];
  for (const result of report.results) {
    if (result.notes.length === 0) continue;
    lines.push(`**${result.name}** (${result.title}):`, ...result.notes.map((n) => `- ${n}`), '');
  }
  return lines.join('\n');
}
