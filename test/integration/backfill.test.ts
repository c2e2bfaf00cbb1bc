import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DAY_MS, HOUR_MS } from "../../shared/core/time.js";
import type { TableCoverage } from "../../shared/engine/status.js";
import { createAzureStack, type AzureStack } from "../helpers/azure-stack.js";
import { downloadAll, manifests } from "../helpers/exported.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY0 = Date.UTC(2026, 9, 1);
const NOW = DAY0 + 31 * DAY_MS + 3 * HOUR_MS;
const TABLES = ["Heartbeat", "Syslog", "Custom_CL"];

function table(name: string, perMinute: number): SyntheticTable {
  return new SyntheticTable({
    name,
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Computer", type: "string" },
      { name: "Value", type: "real" },
    ],
    bytesPerRow: 60,
    rowsInMinute: (m) => (m >= DAY0 && m < NOW ? perMinute : 0),
  });
}

const connectionString = inject("azuriteConnectionString");
let fake: FakeLogAnalytics;
beforeAll(async () => {
  fake = await startFakeLogAnalytics({ tables: [table("Heartbeat", 1), table("Syslog", 2), table("Custom_CL", 1)] });
});
afterAll(async () => fake.close());

function stack(extra: Readonly<Record<string, string>> = {}): Promise<AzureStack> {
  return createAzureStack({
    connectionString,
    fake,
    tables: TABLES,
    clock: { now: () => NOW },
    settings: {
      LOGEXPORT_WINDOW_MINUTES: "1440",
      LOGEXPORT_WORKSPACE_RETENTION_DAYS: "90",
      LOGEXPORT_BACKFILL_MAX_WINDOWS: "5000",
      LOGEXPORT_PART_ATTEMPTS: "1",
      ...extra,
    },
  });
}

/** Settings of a second app instance on the same containers and queue as `stack`. */
function sameStorage(stack: AzureStack): Record<string, string> {
  const names = ["LOGEXPORT_CONTAINER", "LOGEXPORT_STATE_CONTAINER", "LOGEXPORT_QUEUE", "LOGEXPORT_BACKFILL_QUEUE"];
  return Object.fromEntries(names.map((name) => [name, stack.env[name] ?? ""]));
}

const thirtyDays = { tables: TABLES, start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 30 * DAY_MS).toISOString(), windowMinutes: 1440 };

describe("POST /api/backfill", () => {
  it.each([
    ["a wrong content type", "text/plain", JSON.stringify(thirtyDays), [{ name: "content-type" }]],
    ["malformed JSON", "application/json", "{tables:", [{ name: "(body)" }]],
    ["a malformed and an unknown table", "application/json", JSON.stringify({ ...thirtyDays, tables: ["Sys log", "Nope"] }), [{ name: "tables" }]],
    ["start after end", "application/json", JSON.stringify({ ...thirtyDays, start: thirtyDays.end, end: thirtyDays.start }), [{ name: "end" }]],
    [
      "a range beyond retention",
      "application/json",
      JSON.stringify({ ...thirtyDays, start: new Date(NOW - 120 * DAY_MS - 3 * HOUR_MS).toISOString() }),
      [{ name: "start" }],
    ],
    ["a window not dividing an hour or a day", "application/json", JSON.stringify({ ...thirtyDays, windowMinutes: 7 }), [{ name: "windowMinutes" }]],
    [
      "another window size than the deployment's (the same rows again under other names)",
      "application/json",
      JSON.stringify({ ...thirtyDays, windowMinutes: 60 }),
      [{ name: "windowMinutes" }],
    ],
    ["too many windows", "application/json", JSON.stringify(thirtyDays), [{ name: "end" }], { LOGEXPORT_BACKFILL_MAX_WINDOWS: "50" }],
    [
      "unknown fields, a bad force and a bad allowShrink",
      "application/json",
      JSON.stringify({ ...thirtyDays, force: "yes", allowShrink: 1, extra: 1 }),
      [{ name: "extra" }, { name: "force" }, { name: "allowShrink" }],
    ],
  ] as [string, string, string, { name: string }[], Record<string, string>?][])(
    "answers 400 problem details for %s",
    async (_label, contentType, body, params, extra = {}) => {
      const s = await stack(extra);
      const response = await s.backfill(body, contentType);
      expect(response.status).toBe(400);
      expect(response.headers["content-type"]).toBe("application/problem+json");
      expect(response.body).toMatchObject({
        status: 400,
        type: expect.stringMatching(/^https:\/\//),
        title: expect.any(String),
        detail: expect.any(String),
        "invalid-params": params.map((p) => expect.objectContaining({ ...p, reason: expect.any(String) })),
      });
      expect((await downloadAll(s.state, "runs/")).length).toBe(0);
    },
  );

  // 30 days × 3 tables of real queue, worker and Azurite traffic: 37 s at load 7, 60 s+ when the machine is shared.
  it("a 30-day backfill of 3 tables: coarse jobs, full coverage with exact rows; repeated, nothing new; forced, re-exported", async () => {
    const s = await stack();
    const accepted = await s.backfill(thirtyDays);
    expect(accepted.status).toBe(202);
    const { runId, windows, jobs, statusUrl } = accepted.body as { runId: string; windows: number; jobs: number; statusUrl: string };
    expect({ windows, jobs }).toEqual({ windows: 90, jobs: 90 });
    expect(statusUrl).toBe(`http://localhost:7071/api/status?runId=${runId}`);
    expect((await s.exporter.backfillQueue().getProperties()).approximateMessagesCount).toBe(90);

    const before = await s.status({ runId });
    expect(before.body).toMatchObject({ done: 0, total: 90, complete: false });
    expect((before.body as { tables: TableCoverage[] }).tables[0]?.counts["in-progress"]).toBe(30);

    expect(await s.drain({ batchSize: 4 })).toMatchObject({ succeeded: 180, failed: 0, poisoned: 0 });
    const after = await s.status({ runId });
    expect(after.body).toMatchObject({ done: 90, total: 90, complete: true });
    const coverage = await s.status({ start: thirtyDays.start, end: thirtyDays.end, windowMinutes: "1440" });
    const tables = (coverage.body as { tables: TableCoverage[] }).tables;
    for (const t of tables) {
      expect(t.counts).toEqual({ exported: 30, "in-progress": 0, failed: 0, missing: 0 });
      expect(t.rows).toBe(fake.table(t.table).rowsIn(DAY0, DAY0 + 30 * DAY_MS));
      expect(t.windows.every((w) => w.runId === runId)).toBe(true);
    }
    for (const name of TABLES) expect((await manifests(s.state, name)).every((m) => m.runId === runId && m.reason === "backfill")).toBe(true);
    // Lag is measured from the table's newest exported window, not the newest inside the asked range.
    const early = await s.status({ table: "Syslog", start: thirtyDays.start, end: new Date(DAY0 + 2 * DAY_MS).toISOString(), windowMinutes: "1440" });
    expect((early.body as { tables: TableCoverage[] }).tables[0]).toMatchObject({
      newestExported: new Date(DAY0 + 30 * DAY_MS).toISOString(),
      lagSeconds: (NOW - (DAY0 + 30 * DAY_MS)) / 1000,
    });

    const repeat = await s.backfill(thirtyDays);
    expect(repeat.status).toBe(202);
    const ledgerBefore = (await downloadAll(s.state, "ledger/")).map((b) => b.data.length);
    expect(await s.drain()).toMatchObject({ succeeded: 90 });
    expect((await downloadAll(s.state, "ledger/")).map((b) => b.data.length)).toEqual(ledgerBefore);

    const forced = await s.backfill({
      ...thirtyDays,
      tables: ["Syslog"],
      start: thirtyDays.start,
      end: new Date(DAY0 + 2 * DAY_MS).toISOString(),
      force: true,
    });
    expect(forced.status).toBe(202);
    const forcedRun = (forced.body as { runId: string }).runId;
    // Both windows already have manifests (of the first run): the forced run is not done until it has re-exported them.
    const queued = await s.status({ runId: forcedRun });
    expect(queued.body).toMatchObject({ done: 0, total: 2, complete: false });
    expect((queued.body as { tables: TableCoverage[] }).tables[0]?.counts).toEqual({ exported: 0, "in-progress": 2, failed: 0, missing: 0 });
    expect(await s.drain()).toMatchObject({ succeeded: 4 });
    const drained = await s.status({ runId: forcedRun });
    expect(drained.body).toMatchObject({ done: 2, total: 2, complete: true });
    expect((drained.body as { tables: TableCoverage[] }).tables[0]?.windows.every((w) => w.runId === forcedRun)).toBe(true);
    const syslog = await manifests(s.state, "Syslog");
    expect(syslog.filter((m) => m.version === 2)).toHaveLength(2);
  }, 180_000);

  it("a window that keeps failing shows as failed with its last error; others as exported, in progress or missing", async () => {
    const s = await stack();
    fake.inject({ on: "rows", kind: "partialFailure", times: 5 });
    const accepted = await s.backfill({
      tables: ["Heartbeat"],
      start: new Date(DAY0 + DAY_MS).toISOString(),
      end: new Date(DAY0 + 2 * DAY_MS).toISOString(),
      windowMinutes: 1440,
    });
    expect(accepted.status).toBe(202);
    expect(await s.drain({ batchSize: 1 })).toMatchObject({ poisoned: 1 });
    await s.backfill({
      tables: ["Heartbeat"],
      start: new Date(DAY0 + 2 * DAY_MS).toISOString(),
      end: new Date(DAY0 + 3 * DAY_MS).toISOString(),
      windowMinutes: 1440,
    });
    await s.drain();
    const status = await s.status({
      table: "Heartbeat",
      start: new Date(DAY0).toISOString(),
      end: new Date(DAY0 + 4 * DAY_MS).toISOString(),
      windowMinutes: "1440",
    });
    const [heartbeat] = (status.body as { tables: TableCoverage[] }).tables;
    const states = heartbeat?.windows.map((w) => w.state);
    expect(states?.filter((x) => x === "failed")).toHaveLength(1);
    expect(heartbeat?.windows.find((w) => w.state === "failed")?.error).toMatch(/PartialFailure/);
    expect(states?.filter((x) => x === "exported")).toHaveLength(1);
    expect(states).toEqual(["missing", "failed", "exported", "missing"]);
  });

  it("GET /api/status rejects bad parameters with problem details and unknown runs with 404", async () => {
    const s = await stack();
    const bad = await s.status({ table: "Nope", start: "yesterday" });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ "invalid-params": [expect.objectContaining({ name: "table" }), expect.objectContaining({ name: "start" })] });
    expect((await s.status({ runId: "bf-none" })).status).toBe(404);
  });

  it("GET /api/status: 10,000 table names are one problem; a run larger than the caps is refused like any other query", async () => {
    const s = await stack({ LOGEXPORT_WINDOW_MINUTES: "1", LOGEXPORT_BACKFILL_MAX_WINDOWS: "200000" });
    const many = await s.status({ table: Array.from({ length: 10_000 }, (_, i) => `Nope${i}`).join(",") });
    expect(many.status).toBe(400);
    expect((many.body as { "invalid-params": unknown[] })["invalid-params"]).toEqual([
      { name: "table", reason: expect.stringMatching(/10000 names; a query may name at most 100 tables/) },
    ]);
    const sixty = await s.status({ table: Array.from({ length: 60 }, (_, i) => `Nope${i}`).join(",") });
    expect((sixty.body as { "invalid-params": unknown[] })["invalid-params"]).toEqual([
      { name: "table", reason: expect.stringMatching(/^60 entries are wrong: .*; and 55 more\. Exported tables: Heartbeat, Syslog, Custom_CL$/) },
    ]);
    const accepted = await s.backfill(
      { tables: TABLES, start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 30 * DAY_MS).toISOString() },
      "application/json",
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const { runId } = accepted.body as { runId: string };
    const refused = await s.status({ runId });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ "invalid-params": [{ name: "runId", reason: expect.stringMatching(/129600 windows, over 100000/) }] });
  });
});

describe("POST /api/backfill bounds", () => {
  it("refuses a 1 MB body with 413 before parsing it", async () => {
    const s = await stack();
    const body = JSON.stringify({ ...thirtyDays, tables: Array.from({ length: 90_000 }, (_, i) => `Nope${i}`) });
    expect(body.length).toBeGreaterThan(1_000_000);
    const response = await s.backfill(body);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ type: "https://logexport.dev/problems/body-too-large", status: 413, "invalid-params": [{ name: "(body)" }] });
    expect((await s.backfill(`${" ".repeat(64 * 1024)}{}`)).status).toBe(413);
    expect((await s.backfill(`${" ".repeat(64 * 1024 - 2)}{}`)).status).toBe(400);
  });

  it("answers one short problem for 10,000 table names, and one for a list of many wrong names", async () => {
    const s = await stack();
    const many = await s.backfill({ ...thirtyDays, tables: Array.from({ length: 10_000 }, () => "N") });
    expect(many.status).toBe(400);
    expect((many.body as { "invalid-params": unknown[] })["invalid-params"]).toEqual([
      { name: "tables", reason: "lists 10000 entries; a request may name at most 100 tables" },
    ]);
    const wrong = await s.backfill({ ...thirtyDays, tables: ["Heartbeat", "Heartbeat", ...Array.from({ length: 98 }, (_, i) => `Nope${i}`)] });
    const params = (wrong.body as { "invalid-params": { name: string; reason: string }[] })["invalid-params"];
    expect(params).toHaveLength(1);
    expect(params[0]?.reason).toMatch(
      /^99 entries are wrong: \[1\] Heartbeat is listed twice; \[2\] Nope0 is not exported here; .*; and 94 more\. Exported tables: Heartbeat, Syslog, Custom_CL$/,
    );
    expect(JSON.stringify(wrong.body).length).toBeLessThan(1_000);
  });

  it("refuses a second run on a table with an active run: 429, Retry-After, the run in the way named; other tables and finished runs go ahead", async () => {
    const s = await stack();
    const first = await s.backfill({ tables: ["Heartbeat", "Syslog"], start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 2 * DAY_MS).toISOString() });
    expect(first.status).toBe(202);
    const { runId } = first.body as { runId: string };
    const second = await s.backfill({
      tables: ["Custom_CL", "Syslog"],
      start: new Date(DAY0 + 5 * DAY_MS).toISOString(),
      end: new Date(DAY0 + 6 * DAY_MS).toISOString(),
    });
    expect(second.status).toBe(429);
    expect(second.headers["retry-after"]).toBe("300");
    expect(second.body).toMatchObject({
      type: "https://logexport.dev/problems/run-in-progress",
      status: 429,
      detail: expect.stringContaining(`table Syslog is being backfilled by run ${runId} (created`),
      "invalid-params": [{ name: "tables", reason: `Syslog has an active run, ${runId}` }],
    });
    expect(
      (await s.backfill({ tables: ["Custom_CL"], start: new Date(DAY0 + 5 * DAY_MS).toISOString(), end: new Date(DAY0 + 6 * DAY_MS).toISOString() })).status,
    ).toBe(202);
    await s.drain();
    expect(
      (await s.backfill({ tables: ["Syslog"], start: new Date(DAY0 + 5 * DAY_MS).toISOString(), end: new Date(DAY0 + 6 * DAY_MS).toISOString() })).status,
    ).toBe(202);
  });

  it("a run re-running a window an earlier run failed holds its table until it has run it (the old failure does not finish it)", async () => {
    const s = await stack();
    const oneDay = { tables: ["Heartbeat"], start: new Date(DAY0 + DAY_MS).toISOString(), end: new Date(DAY0 + 2 * DAY_MS).toISOString() };
    fake.inject({ on: "rows", kind: "partialFailure", times: 5 });
    expect((await s.backfill(oneDay)).status).toBe(202);
    expect(await s.drain({ batchSize: 1 })).toMatchObject({ poisoned: 1 });
    const rerun = await s.backfill(oneDay);
    expect(rerun.status).toBe(202);
    const again = await s.backfill(oneDay);
    expect(again.status).toBe(429);
    expect(again.body).toMatchObject({ detail: expect.stringContaining(`run ${(rerun.body as { runId: string }).runId} (created`) });
    await s.drain();
    expect((await s.backfill(oneDay)).status).toBe(202);
  });

  it("of 8 concurrent requests for one table on two instances exactly one starts; the others get 429 naming it", async () => {
    const first = await stack();
    const second = await stack(sameStorage(first));
    const body = { tables: ["Syslog"], start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 2 * DAY_MS).toISOString() };
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? first : second).backfill(body)));
    const accepted = answers.filter((a) => a.status === 202);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 429, 429, 429, 429, 429, 429, 429]);
    const { runId } = (accepted[0]?.body ?? {}) as { runId?: string };
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body).toMatchObject({
        type: "https://logexport.dev/problems/run-in-progress",
        "invalid-params": [{ name: "tables", reason: `Syslog has an active run, ${runId}` }],
      });
    }
    expect(await first.list(first.state, "runs/")).toEqual([`runs/${runId}.json`]);
    expect((await first.exporter.backfillQueue().getProperties()).approximateMessagesCount).toBe(2);
  });

  it("a daily window quota counted in the state store: concurrent requests on two instances never pass it; 429 with Retry-After until midnight UTC; the next day starts again", async () => {
    let nowMs = NOW;
    const clock = { now: () => nowMs };
    const quota = { LOGEXPORT_BACKFILL_DAILY_WINDOWS: "4" };
    const first = await createAzureStack({
      connectionString,
      fake,
      tables: TABLES,
      clock,
      settings: { LOGEXPORT_WINDOW_MINUTES: "1440", LOGEXPORT_WORKSPACE_RETENTION_DAYS: "90", ...quota },
    });
    const second = await createAzureStack({
      connectionString,
      fake,
      tables: TABLES,
      clock,
      settings: { LOGEXPORT_WINDOW_MINUTES: "1440", LOGEXPORT_WORKSPACE_RETENTION_DAYS: "90", ...sameStorage(first), ...quota },
    });
    const twoDays = (table: string) => ({ tables: [table], start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 2 * DAY_MS).toISOString() });
    const answers = await Promise.all(TABLES.map((table, i) => (i % 2 === 0 ? first : second).backfill(twoDays(table))));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 429]);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.headers["retry-after"]).toBe(String((DAY0 + 32 * DAY_MS - NOW) / 1000));
    expect(refused?.body).toMatchObject({
      type: "https://logexport.dev/problems/backfill-quota-exhausted",
      status: 429,
      detail: expect.stringContaining("4 of the 4 windows the daily quota LOGEXPORT_BACKFILL_DAILY_WINDOWS allows"),
      "invalid-params": [{ name: "tables", reason: expect.stringContaining("LOGEXPORT_BACKFILL_DAILY_WINDOWS") }],
    });
    const day = new Date(NOW).toISOString().slice(0, 10);
    expect(await first.list(first.state, "quotas/")).toEqual([`quotas/backfill-windows/${day}.json`]);
    expect(JSON.parse((await first.state.getBlobClient(`quotas/backfill-windows/${day}.json`).downloadToBuffer()).toString("utf8"))).toMatchObject({
      day,
      windows: 4,
    });
    // The refused request's table was given back: only the quota stopped it.
    const left = TABLES.find((_, i) => answers[i]?.status === 429) ?? "";
    expect(await first.list(first.state, "claims/")).not.toContain(`claims/backfill/${left}.json`);
    expect((await second.backfill({ ...twoDays(left), end: new Date(DAY0 + DAY_MS).toISOString() })).status).toBe(429);
    expect((await first.backfill({ tables: TABLES, start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 5 * DAY_MS).toISOString() })).body).toMatchObject({
      status: 400,
      "invalid-params": [{ name: "end", reason: expect.stringMatching(/15 windows, more than the daily quota of 4/) }],
    });
    nowMs = NOW + DAY_MS;
    expect((await second.backfill(twoDays(left))).status).toBe(202);
  });
  it("a backfill whose jobs cannot be queued answers 503 with what to do, and gives back its tables and quota: the same request then succeeds", async () => {
    const s = await stack({ LOGEXPORT_BACKFILL_DAILY_WINDOWS: "40" });
    const request = { tables: ["Syslog"], start: new Date(DAY0).toISOString(), end: new Date(DAY0 + 3 * DAY_MS).toISOString() };
    const queue = s.exporter.backfillQueue();
    await queue.delete();
    const failed = await s.backfill(request);
    expect(failed.status).toBe(503);
    expect(failed.headers["retry-after"]).toBe("30");
    expect(failed.body).toMatchObject({
      type: "https://logexport.dev/problems/backfill-not-queued",
      status: 503,
      detail: expect.stringMatching(/its tables and quota were given back: send the same request again/),
    });
    expect(await s.list(s.state, "claims/")).toEqual([]);
    const day = new Date(NOW).toISOString().slice(0, 10);
    expect(JSON.parse((await s.state.getBlobClient(`quotas/backfill-windows/${day}.json`).downloadToBuffer()).toString("utf8"))).toMatchObject({ windows: 0 });
    await queue.create();
    const accepted = await s.backfill(request);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ windows: 3, jobs: 3 });
    expect((await queue.getProperties()).approximateMessagesCount).toBe(3);
  });
});
