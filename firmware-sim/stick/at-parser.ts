// Splits what the agent types into command lines and command lines into commands, the way a
// V.250 modem does: a line starts at "AT" (any case) and ends at CR; basic commands (E0, V1, I,
// Z, D…, &F, S7=…) may follow each other, extended ones (+CREG?, ^NDISDUP=1,1,"apn") are
// separated by ';'. Pure functions, no I/O.

export type CommandKind = 'exec' | 'set' | 'read' | 'test';

export interface AtCommand {
  /** Upper case: 'E', 'I', 'D', '&F', 'S7', '+CPIN', '^NDISDUP'. */
  readonly name: string;
  readonly kind: CommandKind;
  /** Arguments of a set command, quotes removed; a missing one is ''. For basic commands the
   *  number after the letter (E0 → ['0']); for D the dial string. */
  readonly args: readonly string[];
  /** Which arguments were quoted (a quoted "" differs from an omitted argument). */
  readonly quoted: readonly boolean[];
}

export type ParsedLine = { readonly ok: true; readonly commands: readonly AtCommand[] } | { readonly ok: false };

const MAX_LINE = 1024;

/**
 * Assembles command lines from bytes. Characters before "AT" are ignored, backspace (0x08)
 * deletes, CR ends the line, LF is ignored; "A/" repeats the previous line at once.
 */
export class LineAssembler {
  private buffer = '';
  private last = '';

  /** Feeds bytes; returns the complete command lines (the text after "AT"), with the raw line. */
  push(chunk: string): Array<{ raw: string; body: string }> {
    const lines: Array<{ raw: string; body: string }> = [];
    for (const ch of chunk) {
      if (ch === '\r') {
        const line = this.buffer;
        this.buffer = '';
        const start = line.search(/at/i);
        if (start >= 0) {
          const raw = line.slice(start);
          this.last = raw;
          lines.push({ raw, body: raw.slice(2) });
        }
        continue;
      }
      if (ch === '\n') continue;
      if (ch === '\b' || ch === '\x7f') {
        this.buffer = this.buffer.slice(0, -1);
        continue;
      }
      this.buffer += ch;
      if (/a\/$/i.test(this.buffer) && !/at/i.test(this.buffer)) {
        this.buffer = '';
        if (this.last) lines.push({ raw: this.last, body: this.last.slice(2) });
        continue;
      }
      if (this.buffer.length > MAX_LINE) this.buffer = this.buffer.slice(-2); // overflow: drop, keep a possible "AT" start
    }
    return lines;
  }

  reset(): void {
    this.buffer = '';
  }
}

/** Splits `a,"b,c",,d` into ['a', 'b,c', '', 'd'] (quotes removed, flags kept). */
export function splitArgs(text: string): { args: string[]; quoted: boolean[] } {
  const args: string[] = [];
  const quoted: boolean[] = [];
  let current = '';
  let wasQuoted = false;
  let inQuotes = false;
  for (const ch of text) {
    if (ch === '"') {
      inQuotes = !inQuotes;
      wasQuoted = true;
      continue;
    }
    if (ch === ',' && !inQuotes) {
      args.push(wasQuoted ? current : current.trim());
      quoted.push(wasQuoted);
      current = '';
      wasQuoted = false;
      continue;
    }
    current += ch;
  }
  args.push(wasQuoted ? current : current.trim());
  quoted.push(wasQuoted);
  return { args, quoted };
}

/** Index of the first ';' outside quotes at or after `from`, or the text's length. */
function commandEnd(text: string, from: number): number {
  let inQuotes = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === ';' && !inQuotes) return i;
  }
  return text.length;
}

function extended(text: string, start: number): { command: AtCommand; next: number } | null {
  const nameMatch = /^[+^%$*#][A-Za-z0-9_!%.:/-]*/.exec(text.slice(start));
  if (!nameMatch || nameMatch[0].length < 2) return null;
  const name = nameMatch[0].toUpperCase();
  let i = start + nameMatch[0].length;
  const end = commandEnd(text, i);
  const rest = text.slice(i, end);
  let command: AtCommand;
  if (rest === '') command = { name, kind: 'exec', args: [], quoted: [] };
  else if (rest === '?') command = { name, kind: 'read', args: [], quoted: [] };
  else if (rest === '=?') command = { name, kind: 'test', args: [], quoted: [] };
  else if (rest.startsWith('=')) {
    const { args, quoted } = splitArgs(rest.slice(1));
    command = { name, kind: 'set', args, quoted };
  } else return null;
  i = end < text.length ? end + 1 : end;
  return { command, next: i };
}

function basic(text: string, start: number): { command: AtCommand; next: number } | null {
  const ch = text[start]!.toUpperCase();
  if (ch === 'D') {
    // The dial string runs to the end of the line (or to ';', which means "stay in command mode").
    const end = commandEnd(text, start + 1);
    return { command: { name: 'D', kind: 'exec', args: [text.slice(start + 1, end).trim()], quoted: [false] }, next: end < text.length ? end + 1 : end };
  }
  if (ch === 'S') {
    const m = /^[sS](\d+)(=\d*|\?)?/.exec(text.slice(start));
    if (!m) return null;
    const name = `S${m[1]}`;
    const op = m[2];
    const command: AtCommand =
      op === '?' ? { name, kind: 'read', args: [], quoted: [] } : op ? { name, kind: 'set', args: [op.slice(1)], quoted: [false] } : { name, kind: 'exec', args: [], quoted: [] };
    return { command, next: start + m[0].length };
  }
  const m = /^(&?[A-Za-z])(\d*)(\?)?/.exec(text.slice(start));
  if (!m) return null;
  const name = m[1]!.toUpperCase();
  const kind: CommandKind = m[3] ? 'read' : 'exec';
  return { command: { name, kind, args: m[2] ? [m[2]] : [], quoted: m[2] ? [false] : [] }, next: start + m[0].length };
}

/** Parses the text after "AT" into commands; `ok: false` on a syntax error (→ ERROR). */
export function parseCommandLine(body: string): ParsedLine {
  if ((body.match(/"/g) ?? []).length % 2 === 1) return { ok: false }; // an unterminated string
  const commands: AtCommand[] = [];
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (ch === ' ' || ch === ';') {
      i++;
      continue;
    }
    const parsed = /[+^%$*#]/.test(ch) ? extended(body, i) : /[A-Za-z&]/.test(ch) ? basic(body, i) : null;
    if (!parsed) return { ok: false };
    commands.push(parsed.command);
    i = parsed.next;
  }
  return { ok: true, commands };
}
