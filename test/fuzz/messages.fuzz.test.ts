/**
 * Queue messages: the decoder and the worker handler on random JSON, random
 * text and mutations of real window and range jobs. A message is either a
 * valid job or an InvalidMessageError naming the field; the handler drops an
 * invalid one with one logged reason (the counted skip) and writes nothing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { InvalidMessageError, LogExportError } from "../../shared/core/errors.js";
import { isRunId, isTableName } from "../../shared/core/identifiers.js";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../shared/core/time.js";
import { decodeJob, encodeRangeJob, encodeWindowJob, JOB_REASONS, type DecodedJob } from "../../shared/engine/messages.js";
import { manifestName } from "../../shared/engine/naming.js";
import { splitRange } from "../../shared/engine/windows.js";
import { createWorkerHandler } from "../../functions/worker.js";
import { createAzureStack, type AzureStack } from "../helpers/azure-stack.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";
import { capturedContext, hourlySource, memoryAzure, rowTimes } from "./memory-azure.js";
import { mutatedObject, mutatedText, wrongValue } from "./mutate.js";

const DAY = Date.UTC(2026, 10, 22);
const WINDOW = JSON.parse(
  encodeWindowJob({
    table: "Heartbeat",
    window: { startMs: DAY + 10 * HOUR_MS, endMs: DAY + 11 * HOUR_MS },
    runId: "plan-1",
    reason: "scheduled",
    force: false,
  }),
) as Record<string, unknown>;
const RANGE = JSON.parse(
  encodeRangeJob({ table: "Syslog", range: { startMs: DAY, endMs: DAY + 6 * HOUR_MS }, windowMs: 60 * MINUTE_MS, runId: "bf-1", force: true }),
) as Record<string, unknown>;
/** Every refusal decodeJob words, anchored: a message that matches none is a new or a wrong one. */
const REFUSALS: readonly RegExp[] = [
  /^"(start|end)" must be an ISO-8601 UTC instant like 2026-01-01T00:00:00Z, got /,
  /^"table" .* is not a valid table name$/s,
  /^window \[[^)]*\) must be non-empty and at most one day$/,
  /^"runId" must be 1-100 characters of letters, digits and \. _ : -, got /,
  /^"(force|allowShrink)" must be true or false, got /,
  /^message is \d+ characters, over \d+$/,
  /^message is not JSON$/,
  /^message is not a JSON object$/,
  /^unsupported message version .* \(this worker reads version 1\)$/s,
  /^"reason" must be one of scheduled, late, repair, backfill, manual, got /,
  /^"windowMinutes" must be a whole number of minutes that divides a day, got /,
  /^unknown message kind /,
];

/** Everything a queue may deliver: JSON values, text, and real jobs with one or two things wrong. */
const message: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 3, arbitrary: fc.oneof(mutatedObject(WINDOW), mutatedObject(RANGE)) },
  { weight: 2, arbitrary: fc.oneof(mutatedText(JSON.stringify(WINDOW)), mutatedText(JSON.stringify(RANGE))) },
  {
    weight: 1,
    arbitrary: fc.record({
      v: fc.constant(1),
      kind: fc.constantFrom("window", "range"),
      table: fc.constantFrom("Heartbeat", "T_CL", "a b"),
      start: wrongValue,
      end: wrongValue,
      runId: wrongValue,
      reason: wrongValue,
      force: wrongValue,
      windowMinutes: wrongValue,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(JSON.stringify(WINDOW), JSON.stringify(RANGE), WINDOW, RANGE) },
);

/** What a decoded job promises the worker; a re-encoded job decodes to itself. */
function expectValidJob(decoded: DecodedJob): void {
  const { job } = decoded;
  expect(isTableName(job.table)).toBe(true);
  expect(isRunId(job.runId)).toBe(true);
  expect(typeof job.force).toBe("boolean");
  const range = decoded.kind === "window" ? decoded.job.window : decoded.job.range;
  expect(range.endMs).toBeGreaterThan(range.startMs);
  expect(range.endMs - range.startMs).toBeLessThanOrEqual(DAY_MS);
  if (decoded.kind === "window") {
    expect(JOB_REASONS).toContain(decoded.job.reason);
    expect(decodeJob(encodeWindowJob(decoded.job))).toEqual(decoded);
  } else {
    expect(DAY_MS % decoded.job.windowMs).toBe(0);
    expect(decodeJob(encodeRangeJob(decoded.job))).toEqual(decoded);
  }
}

/** The tables memoryAzure exports, with its 60-minute windows. */
const CONFIGURED_TABLES = ["Heartbeat", "Syslog", "Custom_CL"];

/** A job the deployment could have made itself: one of its tables, and its window size and alignment. */
function fitsDeployment(decoded: DecodedJob, tables: readonly string[]): boolean {
  if (!tables.includes(decoded.job.table)) return false;
  if (decoded.kind === "range") return decoded.job.windowMs === HOUR_MS;
  const { window } = decoded.job;
  return window.endMs - window.startMs === HOUR_MS && window.startMs % HOUR_MS === 0;
}

describe("fuzz: queue messages", () => {
  it("decodeJob: a valid job or an InvalidMessageError that names the problem (2,000 cases)", () => {
    let valid = 0;
    fc.assert(
      fc.property(message, (input) => {
        let decoded: DecodedJob;
        try {
          decoded = decodeJob(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidMessageError);
          const text = (error as Error).message;
          expect(text.length).toBeGreaterThan(0);
          // One of the decoder's own refusals, whole: naming the field, or saying what the message is not.
          expect(
            REFUSALS.some((refusal) => refusal.test(text)),
            text,
          ).toBe(true);
          return;
        }
        valid += 1;
        expectValidJob(decoded);
      }),
      { numRuns: 2_000 },
    );
    // The mutations keep some jobs valid, so both outcomes are exercised.
    expect(valid).toBeGreaterThan(20);
  });

  it("the worker handler: an invalid message is dropped with one logged reason and nothing written; a valid one is exported or expanded (400 cases)", async () => {
    const now = DAY + 2 * DAY_MS;
    let skipped = 0;
    await fc.assert(
      fc.asyncProperty(message, fc.integer({ min: 1, max: 6 }), async (input, dequeueCount) => {
        const azure = memoryAzure({ now: () => now });
        const handler = createWorkerHandler(() => azure.exporter);
        const { context, lines } = capturedContext("worker", { id: "m-1", dequeueCount });
        let decoded: DecodedJob | undefined;
        try {
          decoded = decodeJob(input);
        } catch {
          decoded = undefined;
        }
        const outcome = await handler(input, context).catch((error: unknown) => error);
        if (decoded === undefined) {
          skipped += 1;
          expect(outcome).toBeUndefined();
          const errors = lines.filter((l) => l.level === "error");
          expect(errors).toHaveLength(1);
          expect(errors[0]?.entry).toMatchObject({
            message: "rejected an invalid queue message; it will not be retried",
            reason: expect.any(String),
            messageId: "m-1",
            dequeueCount,
          });
          expect([azure.state.names(), azure.data.names(), azure.queue.messages]).toEqual([[], [], []]);
          return;
        }
        if (!fitsDeployment(decoded, CONFIGURED_TABLES)) {
          // Well formed, but not a job this deployment makes: dropped the same way, with its reason.
          expect(outcome).toBeUndefined();
          const errors = lines.filter((l) => l.level === "error");
          expect(errors).toHaveLength(1);
          expect(errors[0]?.entry).toMatchObject({
            message: "refused a job; it will not be retried",
            reason: expect.stringMatching(
              /is not one this deployment exports|is not one of this deployment's 60-minute windows|this deployment's windows are 60 minutes/,
            ),
          });
          expect([azure.state.names(), azure.data.names(), azure.queue.messages]).toEqual([[], [], []]);
          return;
        }
        expect(outcome).not.toBeInstanceOf(Error);
        if (decoded.kind === "window") {
          const { window, table } = decoded.job;
          expect(outcome).toMatchObject({ status: "exported", manifest: { table, exportedRows: rowTimes(window).length } });
          expect(azure.state.names()).toContain(manifestName(table, window));
          expect(azure.queue.messages).toEqual([]);
        } else {
          const { job } = decoded;
          const windows = splitRange(job.range, job.windowMs);
          expect(outcome).toEqual({ enqueued: windows.length, skipped: 0 });
          expect(azure.queue.messages.map((m) => decodeJob(m))).toEqual(
            windows.map((window) => ({ kind: "window", job: { table: job.table, window, runId: job.runId, reason: "backfill", force: job.force } })),
          );
        }
      }),
      { numRuns: 400 },
    );
    expect(skipped).toBeGreaterThan(100);
  });

  describe("on Azurite and the fake Log Analytics API", () => {
    const connectionString = inject("azuriteConnectionString");
    let fake: FakeLogAnalytics;
    let stack: AzureStack;
    beforeAll(async () => {
      const tables = ["Heartbeat", "Syslog"].map(
        (name) =>
          new SyntheticTable({
            name,
            columns: [
              { name: "TimeGenerated", type: "datetime" },
              { name: "Computer", type: "string" },
            ],
            bytesPerRow: 50,
            rowsInMinute: (m) => (m % (10 * MINUTE_MS) === 0 ? 1 : 0),
          }),
      );
      fake = await startFakeLogAnalytics({ tables });
      stack = await createAzureStack({
        connectionString,
        fake,
        tables: ["Heartbeat", "Syslog"],
        clock: { now: () => DAY + 2 * DAY_MS },
        settings: { LOGEXPORT_PART_ATTEMPTS: "1" },
      });
    });
    afterAll(async () => fake.close());

    it("the real worker on real storage: dropped and nothing written, or exported / expanded, or a LogExportError for the host to retry (40 cases)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(mutatedObject(WINDOW), mutatedObject(RANGE), mutatedText(JSON.stringify(WINDOW))), async (input) => {
          let decoded: DecodedJob | undefined;
          try {
            decoded = decodeJob(input);
          } catch {
            decoded = undefined;
          }
          const before = [
            await stack.list(stack.state),
            await stack.list(stack.data),
            (await stack.exporter.queue().getProperties()).approximateMessagesCount ?? 0,
          ];
          const { context, lines } = capturedContext("worker");
          const outcome = await stack.workerHandler(input, context).catch((error: unknown) => error);
          if (decoded === undefined) {
            expect(outcome).toBeUndefined();
            expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
            expect([
              await stack.list(stack.state),
              await stack.list(stack.data),
              (await stack.exporter.queue().getProperties()).approximateMessagesCount ?? 0,
            ]).toEqual(before);
            return;
          }
          if (!fitsDeployment(decoded, ["Heartbeat", "Syslog"])) {
            expect(outcome).toBeUndefined();
            expect(lines.filter((l) => l.level === "error").map((l) => l.entry.message)).toEqual(["refused a job; it will not be retried"]);
            expect([
              await stack.list(stack.state),
              await stack.list(stack.data),
              (await stack.exporter.queue().getProperties()).approximateMessagesCount ?? 0,
            ]).toEqual(before);
            return;
          }
          if (outcome instanceof Error) return void expect(outcome).toBeInstanceOf(LogExportError);
          if (decoded.kind === "window") expect(await stack.list(stack.state)).toContain(manifestName(decoded.job.table, decoded.job.window));
          else expect(outcome).toMatchObject({ enqueued: expect.any(Number), skipped: expect.any(Number) });
        }),
        { numRuns: 40 },
      );
    });
  });

  it("an export failure is thrown for the host to retry, never swallowed as a skip", async () => {
    const throttled = { ...hourlySource, histogram: () => Promise.reject(new LogExportError("throttled", { retriable: true })) };
    const azure = memoryAzure({ now: () => DAY + 2 * DAY_MS }, {}, throttled);
    const { context, lines } = capturedContext("worker");
    await expect(createWorkerHandler(() => azure.exporter)(WINDOW, context)).rejects.toThrow("throttled");
    expect(lines.some((l) => l.entry.message === "rejected an invalid queue message; it will not be retried")).toBe(false);
  });
});
