import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createHash } from "node:crypto";
import { QueueClient } from "@azure/storage-queue";
import { HOUR_MS, MINUTE_MS } from "../../shared/core/time.js";
import { encodeRangeJob, encodeWindowJob } from "../../shared/engine/messages.js";
import { createAzureStack, type AzureStack } from "../helpers/azure-stack.js";
import { downloadAll, exportedRows, manifests } from "../helpers/exported.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 20);
const NOW = DAY + 24 * HOUR_MS + 30 * MINUTE_MS;
const clock = { now: () => NOW };
const BURST_MINUTE = DAY + 10 * HOUR_MS + 17 * MINUTE_MS;

/** Small enough to export a whole day in seconds: 20 rows a minute, one minute of 3,000. */
function table(name: string, burst = true): SyntheticTable {
  return new SyntheticTable({
    name,
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Message", type: "string" },
      { name: "Count", type: "long" },
      { name: "Props", type: "dynamic" },
      { name: "Ok", type: "bool" },
    ],
    bytesPerRow: 200,
    rowsInMinute: (m) => (m < DAY || m >= DAY + 24 * HOUR_MS ? 0 : burst && m === BURST_MINUTE ? 3_000 : 20),
  });
}

const connectionString = inject("azuriteConnectionString");
let fake: FakeLogAnalytics;
const logs: string[] = [];

beforeAll(async () => {
  fake = await startFakeLogAnalytics({ tables: [table("AppRequests"), table("AppTraces", false), table("Burst_CL"), table("Flaky"), table("Late")] });
});
afterAll(async () => fake.close());

function stack(tables: string[], settings: Record<string, string> = {}): Promise<AzureStack> {
  return createAzureStack({
    connectionString,
    fake,
    tables,
    clock,
    settings: { LOGEXPORT_PART_MAX_ROWS: "1000", LOGEXPORT_PART_ATTEMPTS: "1", ...settings },
    log: (_level, ...args) => logs.push(args.join(" ")),
  });
}

function hourJob(tableName: string, hour: number, runId = "test-run"): string {
  return encodeWindowJob({
    table: tableName,
    window: { startMs: DAY + hour * HOUR_MS, endMs: DAY + (hour + 1) * HOUR_MS },
    runId,
    reason: "manual",
    force: false,
  });
}

async function send(s: AzureStack, text: string): Promise<void> {
  await new QueueClient(connectionString, s.env.LOGEXPORT_QUEUE as string).sendMessage(Buffer.from(text).toString("base64"));
}

describe("Azure export on Azurite and the fake Log Analytics API", () => {
  it("exports a full day of two tables with exact counts, manifests, ledger and watermark", async () => {
    const s = await stack(["AppRequests", "AppTraces"]);
    const plans = await s.runPlanner();
    expect(plans.map((p) => [p.table, p.enqueued, p.advancedToMs])).toEqual([
      ["AppRequests", 24, DAY + 24 * HOUR_MS],
      ["AppTraces", 24, DAY + 24 * HOUR_MS],
    ]);
    const drained = await s.drain();
    expect(drained).toEqual({ succeeded: 48, failed: 0, poisoned: 0 });
    for (const name of ["AppRequests", "AppTraces"]) {
      const source = fake.table(name);
      const rows = await exportedRows(s.data, name);
      expect(rows).toHaveLength(source.rowsIn(DAY, DAY + 24 * HOUR_MS));
      const expected = [...source.rows(DAY, DAY + 24 * HOUR_MS)].map((r) => r[0]);
      expect(rows.map((r) => r.TimeGenerated)).toEqual(expected);
      const ms = await manifests(s.state, name);
      expect(ms).toHaveLength(24);
      for (const m of ms) expect(m.exportedRows).toBe(m.expectedRows);
    }
    // One ledger per table and day, each with its header once.
    const ledgers = await downloadAll(s.state, "ledger/");
    expect(ledgers.map((b) => b.name)).toEqual(["ledger/2026-11-20/AppRequests.csv", "ledger/2026-11-20/AppTraces.csv"]);
    for (const ledger of ledgers) {
      const lines = ledger.data.toString("utf8").trim().split("\n");
      expect(lines[0]).toMatch(/^table,window_start,window_end,status/);
      expect(lines.slice(1).filter((l) => l.includes(",complete,"))).toHaveLength(24);
      expect(lines.filter((l) => l.startsWith("table,"))).toHaveLength(1);
    }
  });

  it("keeps full timestamp precision, exact long values and dynamic columns as JSON", async () => {
    const s = await stack(["AppTraces"]);
    await send(s, hourJob("AppTraces", 5));
    await s.drain();
    const rows = await exportedRows(s.data, "AppTraces");
    const source = [...fake.table("AppTraces").rows(DAY + 5 * HOUR_MS, DAY + 6 * HOUR_MS)];
    expect(rows).toHaveLength(source.length);
    expect(String(rows[1]?.TimeGenerated)).toMatch(/\.\d{7}Z$/);
    const raw = (await downloadAll(s.data)).length;
    expect(raw).toBeGreaterThan(0);
    const big = source.findIndex((r) => typeof r[2] === "bigint");
    expect(big).toBeGreaterThanOrEqual(0);
    // JSON.parse in the test loses digits; compare the exported text instead.
    const text = (await exportedText(s)).split("\n")[big] ?? "";
    expect(text).toContain(`"Count":${String(source[big]?.[2])}`);
    expect(typeof rows[0]?.Props).toBe("object");
  });

  it("splits a burst minute into parts under budget with one finer histogram", async () => {
    const s = await stack(["Burst_CL"]);
    await send(s, hourJob("Burst_CL", 10));
    const before = fake.queries.length;
    await s.drain();
    const [manifest] = await manifests(s.state, "Burst_CL");
    expect(manifest?.exportedRows).toBe(60 * 20 - 20 + 3_000);
    expect(manifest?.histogram.queries).toBe(2);
    for (const part of manifest?.parts ?? []) expect(part.expectedRows).toBeLessThanOrEqual(1000);
    const queries = fake.queries.slice(before).filter((q) => q.table === "Burst_CL");
    expect(queries.filter((q) => q.kind === "histogram").map((q) => q.binMs)).toEqual([60_000, 1_000]);
    expect(queries.filter((q) => q.kind === "rows")).toHaveLength(manifest?.parts.length ?? -1);
  });

  it("a message delivered twice, even concurrently, leaves the same names and bytes and no duplicate rows", async () => {
    const s = await stack(["AppRequests"]);
    await send(s, hourJob("AppRequests", 10));
    await s.drain();
    const first = await downloadAll(s.data);
    // Redelivery after the manifest exists: skipped.
    await send(s, hourJob("AppRequests", 10));
    await s.drain();
    // Two concurrent deliveries with the manifest gone: both export, same result.
    await s.state.deleteBlob((await downloadAll(s.state, "manifests/"))[0]?.name ?? "");
    await send(s, hourJob("AppRequests", 10));
    await send(s, hourJob("AppRequests", 10));
    expect(await s.drain({ batchSize: 2 })).toMatchObject({ succeeded: 2, poisoned: 0 });
    const second = await downloadAll(s.data);
    const digest = (blobs: typeof first) => blobs.map((b) => [b.name, createHash("sha256").update(b.data).digest("hex")]);
    expect(digest(second)).toEqual(digest(first));
    expect(await exportedRows(s.data, "AppRequests")).toHaveLength(fake.table("AppRequests").rowsIn(DAY + 10 * HOUR_MS, DAY + 11 * HOUR_MS));
  });

  it("retries a throttled query (429 with Retry-After) and completes", async () => {
    const s = await stack(["AppTraces"]);
    fake.inject({ on: "rows", kind: "status", status: 429, retryAfterSeconds: 0, times: 2 });
    await send(s, hourJob("AppTraces", 3));
    expect(await s.drain()).toEqual({ succeeded: 1, failed: 0, poisoned: 0 });
    expect(fake.queries.filter((q) => q.fault === "status" && q.status === 429).length).toBeGreaterThanOrEqual(2);
    const [manifest] = await manifests(s.state, "AppTraces");
    expect(manifest?.exportedRows).toBe(manifest?.expectedRows);
  });

  it("abandons a response that stalls mid-body and retries the part", async () => {
    const s = await stack(["AppTraces"], { LOGEXPORT_READ_IDLE_SECONDS: "1", LOGEXPORT_PART_ATTEMPTS: "2" });
    fake.inject({ on: "rows", kind: "stallMidBody", afterRows: 100 });
    await send(s, hourJob("AppTraces", 8));
    expect(await s.drain()).toEqual({ succeeded: 1, failed: 0, poisoned: 0 });
    const [manifest] = await manifests(s.state, "AppTraces");
    expect(manifest?.parts[0]?.attempts).toBe(2);
    expect(manifest?.exportedRows).toBe(manifest?.expectedRows);
    expect(logs.some((l) => l.includes("part failed; retrying") && l.includes("sent nothing for 1 s"))).toBe(true);
  });

  it("treats PartialFailure as a failure: no manifest, no data; the redelivery succeeds", async () => {
    const s = await stack(["Flaky"]);
    fake.inject({ on: "rows", kind: "partialFailure", times: 1 });
    await send(s, hourJob("Flaky", 4));
    const seen: string[] = [];
    const result = await s.drain({
      onInvocation: (event) => seen.push(`${event.dequeueCount}:${event.outcome}`),
    });
    expect(seen).toEqual(["1:failed", "2:succeeded"]);
    expect(result).toEqual({ succeeded: 1, failed: 1, poisoned: 0 });
    const ledger = (await downloadAll(s.state, "ledger/"))[0]?.data.toString("utf8") ?? "";
    expect(ledger).toMatch(/,failed,.*PartialFailure/);
    expect(ledger).toMatch(/,complete,/);
  });

  it("a job that keeps failing ends in the poison queue with no manifest and no data", async () => {
    const s = await stack(["Flaky"]);
    fake.inject({ on: "rows", kind: "partialFailure", times: 5 });
    await send(s, hourJob("Flaky", 6));
    expect(await s.drain()).toEqual({ succeeded: 0, failed: 4, poisoned: 1 });
    expect(await downloadAll(s.data)).toEqual([]);
    expect(await downloadAll(s.state, "manifests/")).toEqual([]);
  });

  it("a window whose job went to the poison queue is enqueued again by the next planner run, and exported once", async () => {
    const s = await stack(["AppTraces"], { LOGEXPORT_GAP_REPAIR_AFTER_MINUTES: "0" });
    expect((await s.runPlanner())[0]).toMatchObject({ enqueued: 24, reexported: 0, repaired: 0 });
    const broken = new Date(DAY + 7 * HOUR_MS).toISOString();
    const outage = (message: unknown): void => {
      const text = typeof message === "string" ? message : JSON.stringify(message);
      if (text.includes(`"start":"${broken}"`)) throw new Error(`the query API keeps failing for ${broken}`);
    };
    expect(await s.drain({}, outage)).toEqual({ succeeded: 23, failed: 4, poisoned: 1 });
    expect(await manifests(s.state, "AppTraces")).toHaveLength(23);
    // The fault is gone; the next run finds the window without a manifest and enqueues it again.
    expect((await s.runPlanner())[0]).toMatchObject({ enqueued: 0, repaired: 1 });
    expect(await s.drain()).toEqual({ succeeded: 1, failed: 0, poisoned: 0 });
    const all = await manifests(s.state, "AppTraces");
    expect(all).toHaveLength(24);
    expect(all.find((m) => m.window.start === broken)).toMatchObject({ reason: "repair", version: 1 });
    expect(await exportedRows(s.data, "AppTraces")).toHaveLength(fake.table("AppTraces").rowsIn(DAY, DAY + 24 * HOUR_MS));
    // Nothing left to repair: the run after that enqueues nothing.
    expect((await s.runPlanner())[0]).toMatchObject({ enqueued: 0, repaired: 0 });
  });

  it("drops a malformed message with a clear log line and writes nothing", async () => {
    const s = await stack(["AppTraces"]);
    await send(s, '{"v":1,"kind":"window","table":"AppTraces; drop table","start":"x"}');
    await send(s, "not json at all");
    await send(s, JSON.stringify({ v: 99, kind: "window" }));
    const before = logs.length;
    expect(await s.drain()).toEqual({ succeeded: 3, failed: 0, poisoned: 0 });
    const rejected = logs.slice(before).filter((l) => l.includes("rejected an invalid queue message"));
    expect(rejected).toHaveLength(3);
    expect(rejected.join("\n")).toMatch(/not a valid table name/);
    expect(rejected.join("\n")).toMatch(/unsupported message version 99/);
    expect(await downloadAll(s.data)).toEqual([]);
  });

  it("drops, without retrying, a well-formed job this deployment would not make: another table, an unaligned or other-sized window, a backfill of another window size", async () => {
    const s = await stack(["AppTraces"]);
    await send(s, hourJob("AppRequests", 3));
    await send(
      s,
      encodeWindowJob({
        table: "AppTraces",
        window: { startMs: DAY + 3 * HOUR_MS + 17 * MINUTE_MS, endMs: DAY + 4 * HOUR_MS + 17 * MINUTE_MS },
        runId: "r",
        reason: "manual",
        force: false,
      }),
    );
    await send(s, encodeWindowJob({ table: "AppTraces", window: { startMs: DAY, endMs: DAY + 24 * HOUR_MS }, runId: "r", reason: "manual", force: false }));
    await send(s, encodeRangeJob({ table: "AppTraces", range: { startMs: DAY, endMs: DAY + 24 * HOUR_MS }, windowMs: 24 * HOUR_MS, runId: "r", force: false }));
    const before = logs.length;
    const queriesBefore = fake.queries.length;
    expect(await s.drain()).toEqual({ succeeded: 4, failed: 0, poisoned: 0 });
    const refused = logs.slice(before).filter((l) => l.includes("refused a job; it will not be retried"));
    expect(refused).toHaveLength(4);
    expect(refused.join("\n")).toMatch(/table AppRequests is not one this deployment exports/);
    expect(refused.join("\n")).toMatch(/is not one of this deployment's 60-minute windows/);
    expect(refused.join("\n")).toMatch(/a backfill of 1440-minute windows; this deployment's windows are 60 minutes/);
    expect(await downloadAll(s.data)).toEqual([]);
    expect(await downloadAll(s.state, "manifests/")).toEqual([]);
    expect(fake.queries.length).toBe(queriesBefore);
  });

  it("a worker stopped after its first part: the rerun completes and leaves no stray objects", async () => {
    const s = await stack(["Burst_CL"]);
    // The second part query breaks off mid-body; with one attempt per part the worker gives up after part 1.
    fake.inject({ on: "rows", kind: "resetMidBody", afterRows: 10, skip: 1 });
    await send(s, hourJob("Burst_CL", 10));
    const stopped = await s.drain({ maxDequeueCount: 1 });
    expect(stopped.poisoned).toBe(1);
    const afterStop = (await downloadAll(s.data)).map((b) => b.name);
    expect(afterStop).toHaveLength(1);
    expect(afterStop[0]).toMatch(/_part-1-of-\d+\.jsonl\.gz$/);
    expect(await downloadAll(s.state, "manifests/")).toEqual([]);
    // A smaller budget on the rerun plans a different number of parts: old names must not survive.
    const rerun = await createAzureStack({ connectionString, fake, tables: ["Burst_CL"], clock, settings: { ...s.env, LOGEXPORT_PART_MAX_ROWS: "700" } });
    await send(rerun, hourJob("Burst_CL", 10));
    expect(await rerun.drain()).toMatchObject({ succeeded: 1 });
    const [manifest] = await manifests(s.state, "Burst_CL");
    const stored = (await downloadAll(s.data)).map((b) => b.name);
    expect(stored).toEqual(manifest?.objects.map((o) => o.name));
    expect(stored).not.toContain(afterStop[0]);
    expect(await exportedRows(s.data, "Burst_CL")).toHaveLength(manifest?.expectedRows ?? -1);
  });

  it("re-exports a window whose count grew after it was exported (late rows)", async () => {
    const s = await stack(["Late"]);
    await s.runPlanner();
    await s.drain();
    fake.table("Late").addLateRows([{ timeGeneratedMs: DAY + 7 * HOUR_MS + 1234 }, { timeGeneratedMs: DAY + 7 * HOUR_MS + 5 }]);
    const second = await s.runPlanner();
    expect(second[0]).toMatchObject({ reexported: 1, enqueued: 0 });
    await s.drain();
    const window7 = (await manifests(s.state, "Late")).find((m) => m.window.start === new Date(DAY + 7 * HOUR_MS).toISOString());
    expect(window7).toMatchObject({ version: 2, reason: "late", exportedRows: 20 * 60 + 2 });
    expect(await exportedRows(s.data, "Late")).toHaveLength(fake.table("Late").rowsIn(DAY, DAY + 24 * HOUR_MS));
    const third = await s.runPlanner();
    expect(third[0]).toMatchObject({ reexported: 0, enqueued: 0 });
  });

  it("two planners at once advance the watermark once; duplicate jobs are skipped by workers", async () => {
    const s = await stack(["AppTraces"], { LOGEXPORT_INITIAL_LOOKBACK_HOURS: "3" });
    const [a, b] = await Promise.all([s.runPlanner(), s.runPlanner()]);
    const advanced = [a[0]?.advancedToMs, b[0]?.advancedToMs].filter((x) => x !== undefined);
    expect(advanced).toEqual([DAY + 24 * HOUR_MS]);
    await s.drain();
    expect(await manifests(s.state, "AppTraces")).toHaveLength(3);
    expect((await manifests(s.state, "AppTraces")).every((m) => m.version === 1)).toBe(true);
  });
});

async function exportedText(s: AzureStack): Promise<string> {
  const { gunzipSync } = await import("node:zlib");
  return (await downloadAll(s.data)).map((b) => gunzipSync(b.data).toString("utf8")).join("");
}
