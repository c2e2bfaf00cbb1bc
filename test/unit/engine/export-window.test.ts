import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { PartBudgetError, RowCountMismatchError, ShrinkRefusedError, StorageError } from "../../../shared/core/errors.js";
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
    for (const t of this.times)
      if (t >= range.startMs && t < range.endMs) counts.set(Math.floor(t / binMs) * binMs, (counts.get(Math.floor(t / binMs) * binMs) ?? 0) + 1);
    return [...counts]
      .sort(([a], [b]) => a - b)
      .map(([s, rows]) => ({ startMs: Math.max(s, range.startMs), endMs: Math.min(s + binMs, range.endMs), rows, bytes: rows * 10 }));
  }
  async openPart(_table: string, range: TimeRange): Promise<PartStream> {
    this.partQueries += 1;
    const selected = this.times.filter((t) => t >= range.startMs && t < range.endMs).sort((a, b) => a - b);
    const hidden = this.hide > 0 ? Math.min(this.hide--, selected.length) : 0;
    async function* rows(): AsyncIterable<LogRecord> {
      for (const t of selected.slice(hidden)) yield { TimeGenerated: new Date(t).toISOString(), big: 9007199254740993n };
    }
    return {
      query: `rows ${range.startMs}`,
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        { name: "big", type: "long" },
      ],
      rows: rows(),
    };
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
    partRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    clock: { now: () => Date.now() },
    logger: silentLogger,
  };
}

const job = { table: "AppRequests", window: WINDOW, runId: "run-1", reason: "scheduled" as const, force: false };
const spread = (n: number, from = WINDOW.startMs) => Array.from({ length: n }, (_, i) => from + i * 30_000);

function rowsIn(store: MemoryObjectStore): string[] {
  return store.names("exports/").flatMap((name) =>
    gunzipSync(store.objects.get(name)?.data ?? Buffer.alloc(0))
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== ""),
  );
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
    expect(data.names()).toEqual(
      [1, 2, 3].map((i) => `exports/table=AppRequests/year=2026/month=11/day=22/hour=10/AppRequests_20261122T100000Z_20261122T110000Z_part-${i}-of-3.jsonl.gz`),
    );
    const lines = rowsIn(data);
    expect(lines).toHaveLength(100);
    expect(lines[0]).toBe('{"TimeGenerated":"2026-11-22T10:00:00.000Z","big":9007199254740993}');
    const manifest = parseManifest(
      (await state.readText("manifests/table=AppRequests/year=2026/month=11/day=22/hour=10/AppRequests_20261122T100000Z_20261122T110000Z.manifest.json"))
        ?.text ?? "",
    );
    expect(manifest).toMatchObject({ version: 1, expectedRows: 100, exportedRows: 100, lateRows: 0, runId: "run-1" });
    const ledger = (await state.readText("ledger/2026-11-22/AppRequests.csv"))?.text.split("\n");
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
    expect((await state.readText("ledger/2026-11-22/AppRequests.csv"))?.text).toMatch(/,failed,.*RowCountMismatchError/);
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
    await expect(
      exportWindow(deps(new ListSource(Array.from({ length: 50 }, () => WINDOW.startMs + 7)), data, new MemoryObjectStore()), job),
    ).rejects.toBeInstanceOf(PartBudgetError);
    expect(data.names()).toEqual([]);
  });

  it("an empty window gets a manifest with no parts and issues only the histogram query", async () => {
    const source = new ListSource([]);
    const outcome = await exportWindow(deps(source, new MemoryObjectStore(), new MemoryObjectStore()), job);
    expect(outcome).toMatchObject({ status: "exported", queries: 1, manifest: { expectedRows: 0, exportedRows: 0, parts: [] } });
  });
});

/** Both stores of one export share a count of mutating calls; the `failAt`-th throws, as a crash or an outage would. */
class CrashingStores {
  calls = 0;
  failAt = 0;
  readonly data = new MemoryObjectStore();
  readonly state = new MemoryObjectStore();

  wrap(store: MemoryObjectStore): MemoryObjectStore {
    const step = (): void => {
      this.calls += 1;
      if (this.calls === this.failAt) throw new StorageError(`injected crash at call ${this.calls}`, { retriable: true });
    };
    return Object.assign(Object.create(store) as MemoryObjectStore, {
      writeObject: async (...args: Parameters<MemoryObjectStore["writeObject"]>) => {
        step();
        return store.writeObject(...args);
      },
      writeText: async (...args: Parameters<MemoryObjectStore["writeText"]>) => {
        step();
        return store.writeText(...args);
      },
      appendLine: async (...args: Parameters<MemoryObjectStore["appendLine"]>) => {
        step();
        return store.appendLine(...args);
      },
      delete: async (name: string) => {
        step();
        return store.delete(name);
      },
    });
  }

  deps(source: LogSource): ExportDependencies {
    return deps(source, this.wrap(this.data), this.wrap(this.state));
  }
}

const MANIFEST = "manifests/table=AppRequests/year=2026/month=11/day=22/hour=10/AppRequests_20261122T100000Z_20261122T110000Z.manifest.json";

/** What a reader following the committed manifest finds: every listed object unchanged, and their rows. */
async function readThroughManifest(data: MemoryObjectStore, state: MemoryObjectStore): Promise<{ version: number; rows: number }> {
  const manifest = parseManifest((await state.readText(MANIFEST))?.text ?? "");
  if (manifest === undefined) throw new Error("no committed manifest");
  let rows = 0;
  for (const object of manifest.objects) {
    const stored = data.objects.get(object.name);
    if (stored === undefined) throw new Error(`manifest version ${manifest.version} lists ${object.name}, which is gone`);
    expect(createHash("sha256").update(stored.data).digest("hex")).toBe(object.sha256);
    rows += gunzipSync(stored.data)
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "").length;
  }
  expect(rows).toBe(manifest.exportedRows);
  return { version: manifest.version, rows };
}

describe("re-exports never damage the archive", () => {
  it("writes the next generation under new names, commits it, then deletes the one it replaced", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await exportWindow(deps(source, data, state), job);
    const first = data.names();
    source.times = spread(110);
    const forced = await exportWindow(deps(source, data, state), { ...job, force: true });
    expect(forced.manifest).toMatchObject({ version: 2, exportedRows: 110 });
    expect(forced.manifest.cleanup).toBeUndefined();
    expect(data.names()).toEqual(forced.manifest.objects.map((o) => o.name));
    expect(data.names().every((name) => /_g2_part-\d-of-3\.jsonl\.gz$/.test(name))).toBe(true);
    expect(data.names().some((name) => first.includes(name))).toBe(false);
    expect(await readThroughManifest(data, state)).toEqual({ version: 2, rows: 110 });
  });

  it("a crash at any step of a re-export leaves a manifest whose objects are all there, and the next run finishes the job", async () => {
    const clean = new CrashingStores();
    const grow = (source: ListSource) => (source.times = spread(110));
    const baseline = new ListSource(spread(100));
    await exportWindow(clean.deps(baseline), job);
    const before = clean.calls;
    grow(baseline);
    await exportWindow(clean.deps(baseline), { ...job, force: true });
    const steps = clean.calls - before;
    expect(steps).toBeGreaterThan(6);
    for (let crashAt = 1; crashAt <= steps; crashAt += 1) {
      const stores = new CrashingStores();
      const source = new ListSource(spread(100));
      await exportWindow(stores.deps(source), job);
      grow(source);
      stores.failAt = stores.calls + crashAt;
      const crashed = await exportWindow(stores.deps(source), { ...job, force: true }).then(
        () => false,
        () => true,
      );
      const seen = await readThroughManifest(stores.data, stores.state);
      expect([100, 110], `crash at step ${crashAt}`).toContain(seen.rows);
      // The next run: the same forced job again when it failed, else the next scheduled delivery.
      await exportWindow(stores.deps(source), crashed ? { ...job, force: true } : job);
      const done = parseManifest((await stores.state.readText(MANIFEST))?.text ?? "");
      expect(done?.cleanup, `crash at step ${crashAt}`).toBeUndefined();
      expect(await readThroughManifest(stores.data, stores.state), `crash at step ${crashAt}`).toMatchObject({ rows: 110 });
      expect(stores.data.names(), `crash at step ${crashAt}: nothing left behind`).toEqual(done?.objects.map((o) => o.name));
    }
  });

  it("refuses a forced re-export after the source lost rows, naming both counts, and leaves the archive as it was", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await exportWindow(deps(source, data, state), job);
    const archived = new Map(data.objects);
    const manifestBefore = (await state.readText(MANIFEST))?.text;
    source.times = spread(60);
    const refused = exportWindow(deps(source, data, state), { ...job, force: true, reason: "manual" });
    await expect(refused).rejects.toBeInstanceOf(ShrinkRefusedError);
    await expect(refused).rejects.toThrow(/the archive holds 100 rows \(manifest version 1, 100 read\) and the source now counts 60; refused: .*allowShrink/);
    expect(new Map(data.objects)).toEqual(archived);
    expect((await state.readText(MANIFEST))?.text).toBe(manifestBefore);
    expect((await state.readText("ledger/2026-11-22/AppRequests.csv"))?.text).toMatch(/,failed,.*ShrinkRefusedError: .*100 rows.* 60;/);
  });

  it("with allowShrink archives fewer rows and records the shrink in the manifest and the ledger", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await exportWindow(deps(source, data, state), job);
    source.times = spread(60);
    const allowed = await exportWindow(deps(source, data, state), { ...job, force: true, reason: "manual", allowShrink: true });
    expect(allowed.manifest).toMatchObject({ version: 2, exportedRows: 60, shrink: { fromVersion: 1, fromRows: 100 } });
    expect(await readThroughManifest(data, state)).toEqual({ version: 2, rows: 60 });
    expect((await state.readText("ledger/2026-11-22/AppRequests.csv"))?.text).toMatch(/,complete,60,.*allowed shrink from 100 rows \(version 1\) to 60/);
  });

  it("never empties an archived window, even with allowShrink", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await exportWindow(deps(source, data, state), job);
    const archived = data.names();
    source.times = [];
    await expect(exportWindow(deps(source, data, state), { ...job, force: true, allowShrink: true })).rejects.toThrow(
      /and the source now counts 0; a re-export never empties an archived window/,
    );
    expect(data.names()).toEqual(archived);
    expect(await readThroughManifest(data, state)).toEqual({ version: 1, rows: 100 });
  });

  it("refuses a re-export whose transform now keeps fewer rows, removing what it wrote", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    await exportWindow(deps(source, data, state), job);
    const archived = data.names();
    const dropping: ExportDependencies = {
      ...deps(source, data, state),
      createTransform: () => ({
        sanitizer: new IdentitySanitizer(),
        apply: (record) => (String(record["TimeGenerated"]).endsWith("30.000Z") ? { kind: "excluded", reason: "test" } : { kind: "row", row: record }),
      }),
    };
    await expect(exportWindow(dropping, { ...job, force: true })).rejects.toThrow(/the archive holds 100 rows .* and this export wrote 50; refused/);
    expect(data.names()).toEqual(archived);
  });
});

/** Storage calls by kind, to state what generations cost. */
function counting(store: MemoryObjectStore, calls: Record<string, number>): MemoryObjectStore {
  const count = (kind: string): void => {
    calls[kind] = (calls[kind] ?? 0) + 1;
  };
  return Object.assign(Object.create(store) as MemoryObjectStore, {
    writeObject: async (...args: Parameters<MemoryObjectStore["writeObject"]>) => {
      count("writeObject");
      return store.writeObject(...args);
    },
    writeText: async (...args: Parameters<MemoryObjectStore["writeText"]>) => {
      count("writeText");
      return store.writeText(...args);
    },
    readText: async (name: string) => {
      count("readText");
      return store.readText(name);
    },
    appendLine: async (...args: Parameters<MemoryObjectStore["appendLine"]>) => {
      count("appendLine");
      return store.appendLine(...args);
    },
    delete: async (name: string) => {
      count("delete");
      return store.delete(name);
    },
    list: (prefix: string) => {
      count("list");
      return store.list(prefix);
    },
  });
}

describe("what generations cost in storage calls", () => {
  it("a first export: one write per part, the manifest, the ledger line, one listing; a re-export adds only the deletes and one manifest rewrite", async () => {
    const source = new ListSource(spread(100));
    const data = new MemoryObjectStore();
    const state = new MemoryObjectStore();
    const first: Record<string, number> = {};
    await exportWindow(deps(source, counting(data, first), counting(state, first)), job);
    expect(first).toEqual({ readText: 1, writeObject: 3, list: 1, writeText: 1, appendLine: 1 });
    const again: Record<string, number> = {};
    await exportWindow(deps(source, counting(data, again), counting(state, again)), { ...job, force: true });
    expect(again).toEqual({ readText: 1, writeObject: 3, list: 1, writeText: 2, delete: 3, appendLine: 1 });
  });
});
