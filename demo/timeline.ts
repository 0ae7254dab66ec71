// Lines on stdout, each with its offset from the start: `  +  12.3s  failover: dsl → mobile`.
export class Timeline {
  constructor(
    private readonly write: (text: string) => void,
    readonly startedAt = Date.now(),
  ) {}

  /** Milliseconds since the start. */
  elapsed(): number {
    return Date.now() - this.startedAt;
  }

  line(text: string): void {
    this.write(`  ${formatOffset(this.elapsed())}  ${text}\n`);
  }
}

export function formatOffset(ms: number): string {
  return `+${(ms / 1000).toFixed(1).padStart(6)}s`;
}
