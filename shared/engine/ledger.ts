export const LEDGER_HEADER = "table,window_start,window_end,status,rows,files,bytes,duration_ms,run_id,reason,manifest_version,finished_at,error";

export interface LedgerEntry {
  readonly table: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly status: "complete" | "failed";
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly runId: string;
  readonly reason: string;
  readonly manifestVersion: number | null;
  readonly finishedAt: string;
  /** Error class and message for failures; never row content. */
  readonly error: string;
}

function csvField(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function ledgerLine(entry: LedgerEntry): string {
  return [
    entry.table, entry.windowStart, entry.windowEnd, entry.status, entry.rows, entry.files, entry.bytes,
    entry.durationMs, entry.runId, entry.reason, entry.manifestVersion, entry.finishedAt, entry.error.replace(/\s+/g, " ").slice(0, 500),
  ].map(csvField).join(",");
}
