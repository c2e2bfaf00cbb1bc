/**
 * The CLI keeps the deployment's guarantees: a laptop backfill into the containers the worker
 * writes produces the worker's names and the worker's sanitized bytes, widens a ragged range to
 * the planner's windows, and a rerun writes nothing new.
 */
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { backfillCommand } from "../../cli/commands/backfill.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { createAzureStack } from "../helpers/azure-stack.js";
import { capturedIO } from "../helpers/cli-io.js";
import { downloadAll, manifests } from "../helpers/exported.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 20);
const NOW = DAY + 6 * HOUR_MS;
const connectionString = inject("azuriteConnectionString");
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}/;
let fake: FakeLogAnalytics;

beforeAll(async () => {
  const table = new SyntheticTable({
    name: "AuditLogs_CL",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      {
        name: "Message",
        type: "string",
        pool: ["login by alice@example.com from 10.1.2.3", "token ghp_000000000000000000000000000000000000 seen", "nothing to see"],
      },
    ],
    bytesPerRow: 100,
    rowsInMinute: (m) => (m >= DAY && m < NOW ? 4 : 0),
  });
  fake = await startFakeLogAnalytics({ tables: [table] });
});
afterAll(async () => fake.close());

describe("a CLI backfill into the deployment's containers", () => {
  it("writes the worker's names and sanitized bytes, aligned to the planner's windows, and a rerun writes nothing new", async () => {
    // The worker exports hour 1 and hour 2 through the queue.
    const s = await createAzureStack({ connectionString, fake, tables: ["AuditLogs_CL"], clock: { now: () => NOW } });
    const backfill = await s.backfill({
      tables: ["AuditLogs_CL"],
      start: new Date(DAY + HOUR_MS).toISOString(),
      end: new Date(DAY + 3 * HOUR_MS).toISOString(),
    });
    expect(backfill.status).toBe(202);
    await s.drain();
    await s.drain();
    const byWorker = new Map((await downloadAll(s.data)).map((b) => [b.name, b.data]));
    expect(byWorker.size).toBe(2);

    // The laptop backfills a ragged range over the same containers: 00:17 to 03:40 is widened to 00:00-04:00.
    const cli = capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1`, AZURE_STORAGE_CONNECTION_STRING: connectionString }, now: () => NOW });
    const argv = [
      "--workspace",
      fake.workspaceId,
      "--tables",
      "AuditLogs_CL",
      "--start",
      new Date(DAY + 17 * 60_000).toISOString(),
      "--end",
      new Date(DAY + 3 * HOUR_MS + 40 * 60_000).toISOString(),
      "--container",
      s.env.LOGEXPORT_CONTAINER as string,
      "--state-container",
      s.env.LOGEXPORT_STATE_CONTAINER as string,
      "--format",
      "jsonl.gz",
    ];
    expect(await backfillCommand(argv, cli)).toBe(0);
    expect(cli.out()).toContain("exported range [2026-11-20T00:00:00.000Z, 2026-11-20T04:00:00.000Z)");
    expect(cli.out()).toContain("rows were sanitized");
    // Four windows: the worker's two skipped, two exported by the CLI.
    expect(cli.out()).toMatch(/AuditLogs_CL\s+4\s+2\s+0\s+960\s+960\s+4/);

    const all = await downloadAll(s.data);
    const names = all.map((b) => b.name);
    expect(names).toEqual(
      [0, 1, 2, 3].map(
        (h) => `table=AuditLogs_CL/year=2026/month=11/day=20/hour=0${h}/AuditLogs_CL_20261120T0${h}0000Z_20261120T0${h + 1}0000Z_part-1-of-1.jsonl.gz`,
      ),
    );
    // The worker's objects are untouched, and the CLI's rows went through the same sanitizer.
    for (const [name, data] of byWorker) expect(all.find((b) => b.name === name)?.data.equals(data)).toBe(true);
    const text = all.map((b) => gunzipSync(b.data).toString("utf8")).join("");
    expect(text).not.toMatch(EMAIL);
    expect(text).not.toContain("ghp_0000");
    const found = await manifests(s.state, "AuditLogs_CL");
    expect(new Set(found.map((m) => m.sanitizer.name)).size).toBe(1);
    expect(found[0]?.sanitizer.name).toMatch(/^logexport-sanitizer\/v2\+gitleaks-\d+\.\d+\.\d+; /);
    // The same source values masked the same way by both: the distinct messages the CLI wrote are the worker's.
    const messages = (blobs: readonly Buffer[]) =>
      [...new Set(blobs.flatMap((b) => gunzipSync(b).toString("utf8").trim().split("\n")).map((l) => (JSON.parse(l) as { Message: string }).Message))].sort();
    const workerMessages = messages([...byWorker.values()]);
    expect(workerMessages).toHaveLength(3);
    expect(messages(all.filter((b) => !byWorker.has(b.name)).map((b) => b.data))).toEqual(workerMessages);

    const rerun = capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1`, AZURE_STORAGE_CONNECTION_STRING: connectionString }, now: () => NOW });
    expect(await backfillCommand(argv, rerun)).toBe(0);
    expect(rerun.out()).toMatch(/AuditLogs_CL\s+4\s+4\s+0/);
    const after = await downloadAll(s.data);
    expect(after.map((b) => [b.name, b.data.toString("base64")])).toEqual(all.map((b) => [b.name, b.data.toString("base64")]));
    expect((await manifests(s.state, "AuditLogs_CL")).every((m) => m.version === 1)).toBe(true);
  });

  it("writes unsanitized rows only with --no-sanitize, and says so", async () => {
    const s = await createAzureStack({ connectionString, fake, tables: ["AuditLogs_CL"], clock: { now: () => NOW } });
    const cli = capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1`, AZURE_STORAGE_CONNECTION_STRING: connectionString }, now: () => NOW });
    const argv = [
      "--workspace",
      fake.workspaceId,
      "--tables",
      "AuditLogs_CL",
      "--start",
      new Date(DAY).toISOString(),
      "--end",
      new Date(DAY + HOUR_MS).toISOString(),
      "--container",
      s.env.LOGEXPORT_CONTAINER as string,
      "--state-container",
      s.env.LOGEXPORT_STATE_CONTAINER as string,
      "--no-sanitize",
      "--format",
      "jsonl.gz",
    ];
    expect(await backfillCommand(argv, cli)).toBe(0);
    expect(cli.out()).toContain("rows were NOT sanitized");
    const text = (await downloadAll(s.data)).map((b) => gunzipSync(b.data).toString("utf8")).join("");
    expect(text).toMatch(EMAIL);
    expect((await manifests(s.state, "AuditLogs_CL"))[0]?.sanitizer.name).toBe("identity");
  });
});
