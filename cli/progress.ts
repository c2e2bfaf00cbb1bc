/** A one-line progress bar on a TTY, plain lines otherwise; written to stderr so stdout stays for results. */
export class ProgressBar {
  private readonly startedMs = Date.now();
  private lastDrawMs = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number,
    private readonly unit: string,
  ) {}

  update(done: number, detail: string, force = false): void {
    const now = Date.now();
    if (!this.stream.isTTY) {
      // Plain lines end up in log files: each carries its time, as seed 000's logger's lines did.
      if (force) this.stream.write(`${new Date(now).toISOString()} ${done}/${this.total} ${this.unit} ${detail}\n`);
      return;
    }
    if (!force && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    const fraction = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const width = 24;
    const filled = Math.round(fraction * width);
    const elapsed = (now - this.startedMs) / 1000;
    const eta = done > 0 && fraction < 1 ? ` ETA ${formatSeconds((elapsed / fraction) * (1 - fraction))}` : "";
    const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${this.total} ${this.unit} ${detail}${eta}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns || 120) - 1)}\x1b[K`);
  }

  finish(): void {
    if (this.stream.isTTY) this.stream.write("\n");
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}
