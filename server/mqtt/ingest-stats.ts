// Counts of what the ingest did with each message, by reason, for the API and (issue 7) metrics.
export type IngestRefusal =
  | 'unknown-topic'
  | 'unknown-device'
  | 'empty-payload'
  | 'too-large'
  | 'not-json'
  | 'invalid'
  | 'handler-failed';

export type IngestIgnored = 'duplicate' | 'stale';

export interface IngestCounts {
  readonly received: number;
  readonly stored: Readonly<Record<string, number>>;
  readonly ignored: Readonly<Record<IngestIgnored, number>>;
  readonly refused: Readonly<Record<IngestRefusal, number>>;
}

export class IngestStats {
  private received = 0;
  private readonly stored = new Map<string, number>();
  private readonly ignored: Record<IngestIgnored, number> = { duplicate: 0, stale: 0 };
  private readonly refused: Record<IngestRefusal, number> = {
    'unknown-topic': 0,
    'unknown-device': 0,
    'empty-payload': 0,
    'too-large': 0,
    'not-json': 0,
    invalid: 0,
    'handler-failed': 0,
  };

  countReceived(): void {
    this.received++;
  }

  countStored(kind: string): void {
    this.stored.set(kind, (this.stored.get(kind) ?? 0) + 1);
  }

  countIgnored(reason: IngestIgnored): void {
    this.ignored[reason]++;
  }

  countRefused(reason: IngestRefusal): void {
    this.refused[reason]++;
  }

  snapshot(): IngestCounts {
    return {
      received: this.received,
      stored: Object.fromEntries(this.stored),
      ignored: { ...this.ignored },
      refused: { ...this.refused },
    };
  }
}

/** Classifies decodeMessage's one-line refusal (`kind: not JSON (…)`, `kind: payload of … exceeds …`). */
export function refusalOf(error: string): IngestRefusal {
  if (/: payload of \d+ bytes exceeds/.test(error)) return 'too-large';
  if (/: not JSON \(/.test(error)) return 'not-json';
  return 'invalid';
}
