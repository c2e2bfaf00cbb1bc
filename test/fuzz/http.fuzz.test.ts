/**
 * HTTP bodies and query strings of POST /api/backfill and GET /api/status:
 * the pure backfill validation on many bodies, the real handlers on a
 * memory-backed export on fewer, and the handlers on Azurite on fewer still.
 * The answer is always a valid request or an RFC 9457 problem naming each bad
 * field, and a refused request writes no run record and enqueues nothing.
 */
// @azure/functions is CommonJS; Node's ESM loader exposes HttpRequest only on the default export.
import azureFunctions, { type HttpResponseInit } from "@azure/functions";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../shared/core/time.js";
import { validateBackfillRequest, type BackfillLimits } from "../../shared/engine/backfill.js";
import { decodeJob } from "../../shared/engine/messages.js";
import type { TableCoverage } from "../../shared/engine/status.js";
import { createBackfillHandler } from "../../functions/backfill.js";
import { createStatusHandler } from "../../functions/status.js";
import { OPERATOR_HEADERS } from "../helpers/client-principal.js";
import { createAzureStack, type AzureStack } from "../helpers/azure-stack.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";
import { capturedContext, memoryAzure } from "./memory-azure.js";
import { mutatedObject, mutatedText, wrongValue } from "./mutate.js";

const NOW = Date.UTC(2026, 10, 22, 3, 17);
const TABLES = ["Heartbeat", "Syslog", "Custom_CL"];
const LIMITS: BackfillLimits = { nowMs: NOW, knownTables: TABLES, retentionMs: 90 * DAY_MS, maxWindows: 5_000, windowMs: 60 * MINUTE_MS };
const DAY0 = Date.UTC(2026, 10, 1);
const VALID = {
  tables: ["Heartbeat", "Syslog"],
  start: new Date(DAY0).toISOString(),
  end: new Date(DAY0 + 2 * DAY_MS).toISOString(),
  windowMinutes: 60,
  force: false,
};
const FIELDS = ["tables", "start", "end", "windowMinutes", "force", "allowShrink"];

const instant = fc.oneof(
  fc.date({ min: new Date(NOW - 200 * DAY_MS), max: new Date(NOW + 10 * DAY_MS), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -200, max: 5 }).map((days) => new Date(Math.floor(NOW / DAY_MS) * DAY_MS + days * DAY_MS).toISOString()),
  fc.constantFrom(
    "2026-11-01T00:00:00Z",
    "2026-11-01T00:00:00+01:00",
    "2026-11-01T00:00",
    "2026-11-01",
    "2026-02-30T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999999Z",
    "yesterday",
    "",
  ),
  wrongValue,
);

/** Bodies: real requests with fields broken, records of random field values, and any JSON. */
const body: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: mutatedObject(VALID, 3) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        tables: fc.oneof(fc.subarray([...TABLES, "Heartbeat", "Nope", "a b", "__proto__", ""]), wrongValue),
        start: instant,
        end: instant,
        windowMinutes: fc.oneof(fc.constantFrom(1, 5, 7, 15, 60, 120, 1440, 0, -60, 60.5, 1e21), wrongValue),
        force: fc.oneof(fc.boolean(), wrongValue),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

function expectProblems(problems: readonly { name: string; reason: string }[], input: unknown): void {
  expect(problems.length).toBeGreaterThan(0);
  const object = typeof input === "object" && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const own = Object.keys(object);
  const tables = object["tables"];
  const tableCount = Array.isArray(tables) ? tables.length : 0;
  for (const p of problems) {
    expect(p.reason).toMatch(/\S/);
    const index = /^tables\[(\d+)\]$/.exec(p.name)?.[1];
    expect(p.name === "(body)" || FIELDS.includes(p.name) || own.includes(p.name) || (index !== undefined && Number(index) < tableCount), p.name).toBe(true);
  }
  for (const key of own) if (!FIELDS.includes(key)) expect(problems.map((p) => p.name)).toContain(key);
}

describe("fuzz: POST /api/backfill validation", () => {
  it("validateBackfillRequest: a request within every limit, or every problem named (3,000 cases)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (input) => {
        const result = validateBackfillRequest(input, LIMITS);
        JSON.stringify(result);
        if (!result.ok) return expectProblems(result.problems, input);
        accepted += 1;
        const { tables, range, windowMs, force } = result.request;
        expect(tables.length).toBeGreaterThan(0);
        expect(new Set(tables).size).toBe(tables.length);
        for (const t of tables) expect(TABLES).toContain(t);
        expect(HOUR_MS % windowMs === 0 || DAY_MS % windowMs === 0).toBe(true);
        expect(range.startMs % windowMs).toBe(0);
        expect(range.endMs % windowMs).toBe(0);
        expect(range.startMs).toBeLessThan(range.endMs);
        expect(range.endMs).toBeLessThanOrEqual(NOW);
        expect(range.startMs).toBeGreaterThanOrEqual(NOW - LIMITS.retentionMs);
        expect(result.windows).toBe((tables.length * (range.endMs - range.startMs)) / windowMs);
        expect(Number.isInteger(result.windows) && result.windows <= LIMITS.maxWindows).toBe(true);
        expect(force).toBe((input as { force?: unknown }).force === true);
      }),
      { numRuns: 3_000 },
    );
    expect(accepted).toBeGreaterThan(10);
  });
});

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant("application/json") },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/jsonx",
      "text/plain",
      "",
      "application/problem+json",
      "application/json;;",
    ),
  },
);

/** Requests within every limit, so the accepting side is exercised too. */
const validBody = fc
  .record({
    tables: fc.shuffledSubarray(TABLES, { minLength: 1 }),
    days: fc.tuple(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 5 })),
    // The deployment's window size (60, the default), given or left out: any other is refused.
    windowMinutes: fc.constantFrom(60, undefined),
    force: fc.boolean(),
    allowShrink: fc.constantFrom(true, false, undefined),
  })
  .map(({ tables, days: [back, length], windowMinutes, force, allowShrink }) => {
    const start = Math.floor(NOW / DAY_MS) * DAY_MS - back * DAY_MS;
    return {
      tables,
      start: new Date(start).toISOString(),
      end: new Date(Math.min(start + length * DAY_MS, Math.floor(NOW / DAY_MS) * DAY_MS)).toISOString(),
      windowMinutes,
      force,
      allowShrink,
    };
  });

/** What arrives as the body: JSON of a valid or broken body, its text corrupted, raw bytes, or nothing. */
const rawBody: fc.Arbitrary<{ string: string } | { bytes: Uint8Array }> = fc.oneof(
  { weight: 2, arbitrary: validBody.map((b) => ({ string: JSON.stringify(b) })) },
  { weight: 4, arbitrary: body.map((b) => ({ string: JSON.stringify(b) ?? "" })) },
  { weight: 2, arbitrary: mutatedText(JSON.stringify(VALID)).map((text) => ({ string: text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes })) },
  { weight: 1, arbitrary: fc.constantFrom({ string: "" }, { string: "null" }, { string: "[]" }, { string: "\uFEFF{}" }) },
);

function backfillRequest(type: string, raw: { string: string } | { bytes: Uint8Array }): InstanceType<typeof azureFunctions.HttpRequest> {
  return new azureFunctions.HttpRequest({
    method: "POST",
    url: "http://localhost:7071/api/backfill",
    headers: type === "" ? { ...OPERATOR_HEADERS } : { ...OPERATOR_HEADERS, "content-type": type },
    body: raw,
  });
}

interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly "invalid-params"?: readonly { name: string; reason: string }[];
}

function expectProblemResponse(response: HttpResponseInit, status: number): Problem {
  expect(response.status).toBe(status);
  expect((response.headers as Record<string, string>)["content-type"]).toBe("application/problem+json");
  const problem = response.jsonBody as Problem;
  expect(problem).toMatchObject({ type: expect.stringMatching(/^https:\/\//), title: expect.any(String), status, detail: expect.any(String) });
  for (const p of problem["invalid-params"] ?? []) expect(p).toEqual({ name: expect.any(String), reason: expect.stringMatching(/\S/) });
  return problem;
}

describe("fuzz: the backfill and status handlers on a memory-backed export", () => {
  it("POST /api/backfill: 202 with its run recorded and its jobs enqueued, or 400 problem details and nothing written (500 cases)", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(contentType, rawBody, async (type, raw) => {
        const azure = memoryAzure(
          { now: () => NOW },
          { LOGEXPORT_TABLES: TABLES.join(","), LOGEXPORT_WORKSPACE_RETENTION_DAYS: "90", LOGEXPORT_BACKFILL_MAX_WINDOWS: "5000" },
        );
        const response = await createBackfillHandler(
          () => azure.exporter,
          () => true,
        )(backfillRequest(type, raw), capturedContext("backfill").context);
        if (response.status !== 202) {
          const problem = expectProblemResponse(response, 400);
          expect(problem["invalid-params"]?.length).toBeGreaterThan(0);
          expect([azure.state.names(), azure.queue.messages]).toEqual([[], []]);
          return;
        }
        accepted += 1;
        const run = response.jsonBody as { runId: string; windows: number; jobs: number; statusUrl: string };
        const tables = (JSON.parse(azure.state.objects.get(`runs/${run.runId}.json`)?.data.toString("utf8") ?? "{}") as { tables?: string[] }).tables ?? [];
        // The run, a claim on each of its tables, and today's quota counter with its windows.
        expect(azure.state.names()).toEqual([
          ...tables.map((t) => `claims/backfill/${t}.json`).sort(),
          "quotas/backfill-windows/2026-11-22.json",
          `runs/${run.runId}.json`,
        ]);
        expect(JSON.parse(azure.state.objects.get("quotas/backfill-windows/2026-11-22.json")?.data.toString("utf8") ?? "{}")).toMatchObject({
          windows: run.windows,
        });
        expect(azure.queue.messages).toHaveLength(run.jobs);
        const jobs = azure.queue.messages.map((m) => decodeJob(m));
        expect(jobs.every((j) => j.kind === "range" && j.job.runId === run.runId)).toBe(true);
        expect(run.statusUrl).toBe(`http://localhost:7071/api/status?runId=${run.runId}`);
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  const tableParam = fc.oneof(
    { weight: 4, arbitrary: fc.subarray(TABLES, { minLength: 1 }).map((t) => t.join(",")) },
    { weight: 1, arbitrary: fc.subarray([...TABLES, "Heartbeat", "Nope", "a b", "", " Syslog "]).map((t) => t.join(",")) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  );
  const instantParam = fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: -40, max: 3 }).map((days) => new Date(Math.floor(NOW / DAY_MS) * DAY_MS + days * DAY_MS).toISOString()) },
    { weight: 2, arbitrary: fc.date({ min: new Date(0), max: new Date(NOW + 10 * DAY_MS), noInvalidDate: true }).map((d) => d.toISOString()) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "2026-11-01",
        "2026-11-01T00:00Z",
        "2026-11-01T00:00:00+05:30",
        "1800-01-01",
        "0000-01-01",
        "9999-12-31",
        "yesterday",
        "2026-13-01",
        "-1d",
        "",
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 25 }) },
  );
  const windowParam = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("1", "5", "60", "1440", "") },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom("7", "0", "-60", "60.0", "0x3c", "1e3", " 60 ", "Infinity"), fc.string({ maxLength: 6 })) },
  );
  const statusQuery = fc.oneof(
    { weight: 8, arbitrary: fc.record({ table: tableParam, start: instantParam, end: instantParam, windowMinutes: windowParam }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.record({ runId: fc.oneof(fc.constantFrom("bf-none", "", "a b", "../runs/x"), fc.string({ maxLength: 20 })) }) },
  );

  it("GET /api/status: coverage of exactly the asked tables and range, 404 for an unknown run, or 400 naming each bad parameter (400 cases)", async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(statusQuery, async (query) => {
        const azure = memoryAzure({ now: () => NOW }, { LOGEXPORT_TABLES: TABLES.join(",") });
        const response = await createStatusHandler(
          () => azure.exporter,
          () => true,
        )(new azureFunctions.HttpRequest({ method: "GET", url: "http://localhost:7071/api/status", query: { ...query }, headers: { ...OPERATOR_HEADERS } }));
        // Whatever the range and window size, a query costs a bounded number of storage calls (about 3 ms each on Azurite).
        expect(azure.state.calls).toBeLessThanOrEqual(10_000);
        if ("runId" in query) return void expectProblemResponse(response, 404);
        if (response.status !== 200) {
          const names = (expectProblemResponse(response, 400)["invalid-params"] ?? []).map((p) => p.name);
          expect(names.length).toBeGreaterThan(0);
          for (const name of names) expect(["table", "start", "end", "windowMinutes"].includes(name), name).toBe(true);
          return;
        }
        answered += 1;
        const result = response.jsonBody as { start: string; end: string; windowMinutes: number; tables: TableCoverage[] };
        const asked = query.table === undefined || query.table === "" ? TABLES : query.table.split(",").map((t) => t.trim());
        expect(result.tables.map((t) => t.table)).toEqual(asked);
        expect(Date.parse(result.start)).toBeLessThan(Date.parse(result.end));
        for (const t of result.tables) {
          expect(Object.values(t.counts).reduce((a, b) => a + b, 0)).toBe(t.windows.length);
          expect(t.counts.exported).toBe(0);
        }
      }),
      // Found by this property: 56 years of day windows read 20,000 days of ledgers and listings per table (minutes on Azurite).
      { numRuns: 400, examples: [[{ start: "1970-01-01T00:00:00.000Z", windowMinutes: "1440" }]] },
    );
    expect(answered).toBeGreaterThan(20);
  });
});

describe("fuzz: the backfill and status handlers on Azurite and the fake Log Analytics API", () => {
  const connectionString = inject("azuriteConnectionString");
  let fake: FakeLogAnalytics;
  let stack: AzureStack;
  beforeAll(async () => {
    const tables = TABLES.map(
      (name) => new SyntheticTable({ name, columns: [{ name: "TimeGenerated", type: "datetime" }], bytesPerRow: 40, rowsInMinute: () => 0 }),
    );
    fake = await startFakeLogAnalytics({ tables });
    stack = await createAzureStack({
      connectionString,
      fake,
      tables: TABLES,
      clock: { now: () => NOW },
      settings: { LOGEXPORT_WORKSPACE_RETENTION_DAYS: "30", LOGEXPORT_BACKFILL_MAX_WINDOWS: "100" },
    });
  });
  afterAll(async () => fake.close());

  it("POST /api/backfill end to end: 202 with as many queued jobs as it says, or 400 and nothing written (40 cases)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          validBody.map((b) => JSON.stringify(b)),
          body.map((b) => JSON.stringify(b) ?? ""),
          mutatedText(JSON.stringify(VALID)),
        ),
        async (text) => {
          const runsBefore = (await stack.list(stack.state, "runs/")).length;
          const queuedBefore = (await stack.exporter.backfillQueue().getProperties()).approximateMessagesCount ?? 0;
          const response = await stack.backfill(text);
          const runs = (await stack.list(stack.state, "runs/")).length;
          const queued = (await stack.exporter.backfillQueue().getProperties()).approximateMessagesCount ?? 0;
          if (response.status === 202) {
            expect([runs - runsBefore, queued - queuedBefore]).toEqual([1, (response.body as { jobs: number }).jobs]);
          } else {
            // 429: an earlier accepted case's run is still active on one of the tables (nothing drains the queue here).
            expect(response).toMatchObject({
              status: expect.toBeOneOf([400, 429]),
              headers: { "content-type": "application/problem+json" },
              body: { "invalid-params": expect.any(Array) },
            });
            expect([runs, queued]).toEqual([runsBefore, queuedBefore]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("GET /api/status end to end: 200, 400 or 404 with problem details (40 cases)", async () => {
    const nearby = fc.integer({ min: -10, max: 2 }).map((days) => new Date(Math.floor(NOW / DAY_MS) * DAY_MS + days * DAY_MS).toISOString());
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            table: fc.oneof(fc.constantFrom("Heartbeat", "Syslog,Custom_CL", "Nope"), fc.string({ maxLength: 10 })),
            start: fc.oneof(nearby, fc.string({ maxLength: 12 })),
            end: fc.oneof(nearby, fc.string({ maxLength: 12 })),
            windowMinutes: fc.constantFrom("60", "1440", "7", "x"),
          },
          { requiredKeys: [] },
        ),
        async (query) => {
          const response = await stack.status(query);
          expect([200, 400]).toContain(response.status);
          if (response.status === 400)
            expect(response).toMatchObject({
              headers: { "content-type": "application/problem+json" },
              body: { status: 400, "invalid-params": expect.any(Array) },
            });
          else expect((response.body as { tables: unknown[] }).tables.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
