// A plain reading of a whole byte stream from the stick, as the line framer must read it: split at
// CR/LF, drop pieces with noise (bytes outside printable ASCII) or longer than the limit, trim,
// drop empties and the first echo of the command; a tail without CR/LF never ends. The fuzz
// tests hold the framer (and the channel above it) to this.
export function referenceLines(bytes: Buffer, maxLineLength = 2048, echo: string | null = null): string[] {
  const text = bytes.toString('latin1');
  const lastEnd = Math.max(text.lastIndexOf('\r'), text.lastIndexOf('\n'));
  if (lastEnd < 0) return [];
  let pendingEcho = echo === null ? null : echo.trim().toUpperCase();
  const lines: string[] = [];
  for (const segment of text.slice(0, lastEnd).split(/[\r\n]/)) {
    if (segment.length === 0 || segment.length > maxLineLength) continue;
    if (/[^\x20-\x7e\t]/.test(segment)) continue;
    const line = segment.trim();
    if (line === '') continue;
    if (pendingEcho !== null && line.toUpperCase() === pendingEcho) {
      pendingEcho = null;
      continue;
    }
    lines.push(line);
  }
  return lines;
}
