import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { PartBudgetError, RowCountMismatchError } from "../../../shared/core/errors.js";
import { silentLogger } from "../../../shared/core/logger.js";
import type { HistogramBin, LogSource, PartStream } from "../../../shared/core/ports.js";
import type { LogRecord } from "../../../shared/core/records.js";
import type { TimeRange } from "../../../shared/core/time.js";
import { exportWindow, type ExportDependencies } from "../../../shared/engine/export-window.js";
import { parseManifest } from "../../../shared/engine/manifest.js";
import { sanitizingTransform } from "../../../shared/engine/transform.js";
import { JsonLinesGzipEncoder } from "../../../shared/formats/jsonl-gzip/encoder.js";
import { IdentitySanitizer } from "../../../shared/sanitize/identity.js";
import { MemoryObjectStore } from "../../helpers/memory-store.js";

const WINDOW = { startMs: Date.UTC(2026, 10, 22, 10), endMs: Date.UTC(2026, 10, 22, 11) };

/** A unit-test source over a list of row timestamps; `hide` makes part queries miss rows (a flaky read). */
class ListSource implements LogSource {
  readonly description = "list";
  partQueries = 0;
  hide = 0;
  constructor(public times: number[]) {}
  histogramQuery(): string {
    return "histogram";
  }
  async histogram(_table: string, range: TimeRange, binMs: number): Promise<HistogramBin[]> {
    const counts = new Map<number, number>();
    for (const t of this.times) if (t >= range.startMs && t < range.endMs) counts.set(Math.floor(t / binMs) * binMs, (counts.get(Math.floor(t / binMs) * binMs) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a - b).map(([s, rows]) => ({ startMs: Math.max(s, range.startMs), endMs: Math.min(s + binMs, range.endMs), rows, bytes: rows * 10 }));
  }
  async openPart(_table: string, range: TimeRange): Promise<PartStream> {
    this.partQueries += 1;
    const selected = this.times.filter((t) => t >= range.startMs && t < range.endMs).sort((a, b) => a - b);
    const hidden = this.hide > 0 ? Math.min(this.hide--, selected.length) : 0;
    async function* rows(): AsyncIterable<LogRecord> {
      for (const t of selected.slice(hidden)) yield { TimeGenerated: new Date(t).toISOString(), big: 9007199254740993n };
    }
    return { query: `rows ${range.startMs}`, columns: [{ name: "TimeGenerated", type: "datetime" }, { name: "big", type: "long" }], rows: rows() };
  }
}

function deps(source: LogSource, data: MemoryObjectStore, state: MemoryObjectStore, maxRows = 40): ExportDependencies {
  return {
    source,
    data,
    state,
    layout: { kind: "part-objects", prefix: "exports" },
    encoder: new JsonLinesGzipEncoder(),
    createTransform: () => sanitizingTransform(new IdentitySanitizer()),
    concurrency: 1,
    budget: { maxRows, maxBytes: 1e9 },
    partRetry: { attempts: 3, baseDelayMs: 1 },
    clock: { now: () => Date.now() },
    logger: silentLogger,
  };
}

const job = { table: "AppRequests", window: WINDOW, runId: "run-1", reason: "scheduled" as const, force: false };
const spread = (n: number, from = WINDOW.startMs) => Array.from({ length: n }, (_, i) => from + i * 30_000);

function rowsIn(store: MemoryObjectStore): string[] {
  return store.names("exports/").flatMap((name) => gunzipSync(store.objects.get(name)?.data ?? Buffer.alloc(0)).toString("utf8").split("\n").filter((l) => l !== ""));
}

describe("exportWindow", () => {
  it("writes every row once in parts under budget, then the manifest and a ledger line", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    const outcome = await exportWindow(deps(source, data, state), job);
    expect(outcome.status).toBe("exported");
    expect(outcome.manifest.parts).toHaveLength(3);
    expect(outcome.queries).toBe(1 + 3);
    expect(data.names()).toEqual([1, 2, 3].map((i) => `exports/table=AppRequests/year=2026/month=11/day=22/hour=10/AppRequests_20261122T100000Z_20261122T110000Z_part-${i}-of-3.jsonl.gz`));
    const lines = rowsIn(data);
    expect(lines).toHaveLength(100);
    expect(lines[0]).toBe('{"TimeGenerated":"2026-11-22T10:00:00.000Z","big":9007199254740993}');
    const manifest = parseManifest((await state.readText("manifests/table=AppRequests/year=2026/month=11/day=22/hour=10/AppRequests_20261122T100000Z_20261122T110000Z.manifest.json"))?.text ?? "");
    expect(manifest).toMatchObject({ version: 1, expectedRows: 100, exportedRows: 100, lateRows: 0, runId: "run-1" });
    const ledger = (await state.readText("ledger/2026-11-22.csv"))?.text.split("\n");
    expect(ledger?.[0]).toMatch(/^table,window_start/);
    expect(ledger?.[1]).toMatch(/^AppRequests,2026-11-22T10:00:00.000Z,2026-11-22T11:00:00.000Z,complete,100,3,/);
  });

  it("skips a window with a complete manifest, and re-exports it with a bumped version when forced", async () => {
    const source = new ListSource(spread(10));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await exportWindow(deps(source, data, state), job);
    const queriesAfterFirst = source.partQueries;
    expect((await exportWindow(deps(source, data, state), job)).status).toBe("skipped");
    expect(source.partQueries).toBe(queriesAfterFirst);
    const forced = await exportWindow(deps(source, data, state), { ...job, force: true, reason: "late" });
    expect(forced.manifest.version).toBe(2);
  });

  it("retries a part that returned fewer rows than the histogram, and never commits the short one", async () => {
    const source = new ListSource(spread(10));
    source.hide = 1;
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    const outcome = await exportWindow(deps(source, data, state), job);
    expect(outcome.manifest.parts[0]?.attempts).toBe(2);
    expect(rowsIn(data)).toHaveLength(10);
  });

  it("fails without a manifest when a part stays short, and records the failure in the ledger", async () => {
    const source = new ListSource(spread(10));
    source.hide = 100;
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await expect(exportWindow(deps(source, data, state), job)).rejects.toBeInstanceOf(RowCountMismatchError);
    expect(data.names()).toEqual([]);
    expect(state.names("manifests/")).toEqual([]);
    expect((await state.readText("ledger/2026-11-22.csv"))?.text).toMatch(/,failed,.*RowCountMismatchError/);
  });

  it("removes parts of an earlier plan when a re-export needs a different part count", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await exportWindow(deps(source, data, state), job);
    expect(data.names()).toHaveLength(3);
    await exportWindow(deps(source, data, state, 60), { ...job, force: true });
    expect(data.names().map((n) => n.replace(/.*_part-/, ""))).toEqual(["1-of-2.jsonl.gz", "2-of-2.jsonl.gz"]);
    expect(rowsIn(data)).toHaveLength(100);
  });

  it("records rows that arrived after the histogram as late rows", async () => {
    const source = new ListSource(spread(10));
    const original = source.histogram.bind(source);
    source.histogram = async (...args) => {
      const bins = await original(...args);
      source.times = [...source.times, WINDOW.startMs + 1];
      return bins;
    };
    const outcome = await exportWindow(deps(source, new MemoryObjectStore(), new MemoryObjectStore()), job);
    expect(outcome.manifest).toMatchObject({ expectedRows: 10, exportedRows: 11, lateRows: 1 });
  });

  it("fails loudly and writes nothing when one millisecond holds more rows than a part may", async () => {
    const data = new MemoryObjectStore();
    await expect(exportWindow(deps(new ListSource(Array.from({ length: 50 }, () => WINDOW.startMs + 7)), data, new MemoryObjectStore()), job)).rejects.toBeInstanceOf(PartBudgetError);
    expect(data.names()).toEqual([]);
  });

  it("an empty window gets a manifest with no parts and issues only the histogram query", async () => {
    const source = new ListSource([]);
    const outcome = await exportWindow(deps(source, new MemoryObjectStore(), new MemoryObjectStore()), job);
    expect(outcome).toMatchObject({ status: "exported", queries: 1, manifest: { expectedRows: 0, exportedRows: 0, parts: [] } });
  });
});
