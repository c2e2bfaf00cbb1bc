/**
 * Row-by-row comparison of a source with what is in storage, by a content hash per row: the source
 * rows are written as the JSON line the export must produce (column order, typed values, dynamic
 * parsed), independently of the exporter's own encoder; the stored rows are the exported lines as
 * they are. Every scenario ends with one summary line.
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { ContainerClient } from "@azure/storage-blob";
import type { TimeRange } from "../../shared/core/time.js";
import type { SyntheticTable, SyntheticValue } from "../helpers/synthetic-table.js";

export interface Audit {
  readonly expected: number;
  readonly exported: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Rows in storage that the source never held (corrupted or foreign). */
  readonly unexpected: number;
}

type Counts = Map<string, number>;

function hash(line: string): string {
  return createHash("sha1").update(line).digest("base64");
}

function add(counts: Counts, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function jsonValue(type: string, value: SyntheticValue): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return value.toString();
  // The service sends dynamic values as a string holding JSON; the export writes the JSON itself.
  if (type === "dynamic" && typeof value === "string") return JSON.stringify(JSON.parse(value));
  return JSON.stringify(value);
}

/** What the export must write for each source row in the windows, as content hashes with multiplicity. */
export function expectedRows(table: SyntheticTable, windows: readonly TimeRange[]): Counts {
  const keys = table.columns.map((c) => JSON.stringify(c.name));
  const counts: Counts = new Map();
  for (const window of windows) {
    for (const row of table.rows(window.startMs, window.endMs)) {
      let line = "{";
      for (let i = 0; i < keys.length; i += 1) line += `${i === 0 ? "" : ","}${keys[i]}:${jsonValue(table.columns[i]?.type ?? "string", row[i] ?? null)}`;
      add(counts, hash(`${line}}`));
    }
  }
  return counts;
}

/** Every exported line of the table in the container, as content hashes with multiplicity. */
export async function storedRows(container: ContainerClient, table: string): Promise<Counts> {
  const counts: Counts = new Map();
  for await (const item of container.listBlobsFlat({ prefix: `table=${table}/` })) {
    const text = gunzipSync(await container.getBlobClient(item.name).downloadToBuffer()).toString("utf8");
    for (const line of text.split("\n")) if (line !== "") add(counts, hash(line));
  }
  return counts;
}

export function audit(expected: Counts, stored: Counts): Audit {
  let lost = 0;
  let duplicated = 0;
  let unexpected = 0;
  for (const [key, want] of expected) lost += Math.max(0, want - (stored.get(key) ?? 0));
  for (const [key, got] of stored) {
    const want = expected.get(key);
    if (want === undefined) unexpected += got;
    else duplicated += Math.max(0, got - want);
  }
  const total = (counts: Counts) => [...counts.values()].reduce((a, b) => a + b, 0);
  return { expected: total(expected), exported: total(stored), lost, duplicated, unexpected };
}

export function summaryLine(scenario: string, result: Audit): string {
  const extra = result.unexpected === 0 ? "" : `, unexpected ${result.unexpected}`;
  return `${scenario}: rows expected ${result.expected}, exported ${result.exported}, lost ${result.lost}, duplicated ${result.duplicated}${extra}`;
}
