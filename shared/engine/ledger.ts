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
    entry.table,
    entry.windowStart,
    entry.windowEnd,
    entry.status,
    entry.rows,
    entry.files,
    entry.bytes,
    entry.durationMs,
    entry.runId,
    entry.reason,
    entry.manifestVersion,
    entry.finishedAt,
    entry.error.replace(/\s+/g, " ").slice(0, 500),
  ]
    .map(csvField)
    .join(",");
}

/** Splits one CSV line written by ledgerLine (fields quoted only when they hold quotes, commas or newlines). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      i += 1;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i += 1;
          break;
        } else {
          value += line[i];
          i += 1;
        }
      }
      fields.push(value);
      i += 1;
    } else {
      const comma = line.indexOf(",", i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/** Reads a ledger file; lines that do not have the ledger's shape are skipped. */
export function parseLedger(text: string): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line === LEDGER_HEADER) continue;
    const f = csvFields(line);
    if (f.length !== 13 || (f[3] !== "complete" && f[3] !== "failed")) continue;
    entries.push({
      table: f[0] ?? "",
      windowStart: f[1] ?? "",
      windowEnd: f[2] ?? "",
      status: f[3],
      rows: Number(f[4]),
      files: Number(f[5]),
      bytes: Number(f[6]),
      durationMs: Number(f[7]),
      runId: f[8] ?? "",
      reason: f[9] ?? "",
      manifestVersion: f[10] === "" ? null : Number(f[10]),
      finishedAt: f[11] ?? "",
      error: f[12] ?? "",
    });
  }
  return entries;
}
