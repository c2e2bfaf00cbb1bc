/**
 * Issue 21: what an outsider writes into a logged header cannot remove its line unseen. Nothing is
 * dropped on the server; the row transform excludes health checks and Django warnings by where the
 * format puts them (request path, logger prefix) and the manifest counts every exclusion by reason.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportAccessLogsCommand } from "../../cli/commands/export-access-logs.js";
import type { ExportManifest } from "../../shared/engine/manifest.js";
import { ENVELOPE_SHAPES, type EnvelopeShape } from "../../shared/parsers/envelope.js";
import { capturedIO } from "../helpers/cli-io.js";
import { EventListGroup } from "../helpers/event-list-group.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";

const HOUR = Date.UTC(2026, 6, 20, 13);
const TIME = "[20/Jul/2026:13:47:49 +0000]";
const PATH = "/api/pypi/public/main/simple/requests/";

function access(correlationId: string, request: string, referer: string, userAgent: string): string {
  return `pulp [${correlationId}]: 10.128.4.9 - user:alice org_id:4242 ${TIME} "${request}" 200 512 "${referer}" "${userAgent}" 31 x_forwarded_for:"23.48.249.160"`;
}

/** Lines an attacker shaped to look excluded: each is a real request and must be a row. */
const HIDING = {
  markerInUserAgent: access("c-1", `GET ${PATH} HTTP/1.1`, "-", "pip/24.0 django.request:WARNING"),
  markerInCorrelationId: access("x]: django.request:WARNING", `GET ${PATH} HTTP/1.1`, "-", "pip/24.0"),
  healthPathInHeaders: access("c-3", `GET ${PATH} HTTP/1.1`, "GET /livez", "GET /status"),
} as const;

/** Lines the export leaves out, each counted by its reason. */
const LEFT_OUT = {
  "django-warning": `pulp [c-4]: django.request:WARNING: Not Found: ${PATH}`,
  "excluded-path": access("c-5", "GET /status/ HTTP/1.1", `https://pulp.example/${PATH}`, "kube-probe/1.29"),
} as const;

function wrap(shape: EnvelopeShape, line: string): string {
  if (shape === "bare") return line;
  if (shape === "message") return JSON.stringify({ message: line, kubernetes: { namespace_name: "pulp-prod" } });
  return JSON.stringify({ log: `${line}\n`, stream: "stdout" });
}

let fake: FakeCloudWatchLogs;
let dir: string;
let duck: DuckDBConnection;

beforeAll(async () => {
  const lines = [...Object.values(HIDING), ...Object.values(LEFT_OUT)];
  fake = await startFakeCloudWatchLogs({
    groups: ENVELOPE_SHAPES.map(
      (shape) =>
        new EventListGroup(
          `/exclusions/${shape}`,
          lines.map((line, i) => ({ timestamp: HOUR + 1_000 * (i + 1), message: wrap(shape, line) })),
        ),
    ),
  });
  dir = await mkdtemp(join(tmpdir(), "aws-exclusions-"));
  duck = await (await DuckDBInstance.create(":memory:")).connect();
  Object.assign(process.env, { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url, AWS_ACCESS_KEY_ID: "fake", AWS_SECRET_ACCESS_KEY: "fake", AWS_MAX_ATTEMPTS: "3" });
}, 60_000);
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(ENVELOPE_SHAPES)("exclusion markers where the format puts them, events %s", (shape) => {
  it("exports every line whose headers carry an exclusion marker, and counts each line left out by reason", async () => {
    const file = join(dir, `access-${shape}.parquet`);
    const args = [
      "--cloudwatch-group",
      `/exclusions/${shape}`,
      "--start-time",
      "2026-07-20T13:00:00Z",
      "--end-time",
      "2026-07-20T14:00:00Z",
      "--output-path",
      file,
    ];
    expect(await exportAccessLogsCommand(args, capturedIO())).toBe(0);
    const rows = (await duck.runAndReadAll(`SELECT message FROM '${file}' ORDER BY "timestamp"`)).getRowObjectsJS();
    expect(rows.map((r) => r.message)).toEqual(Object.values(HIDING));
    const manifest = JSON.parse(await readFile(join(dirname(file), `_${basename(file)}.manifest.json`), "utf8")) as ExportManifest;
    expect(manifest.excluded).toEqual({ "django-warning": 1, "excluded-path": 1 });
    expect(manifest.readRows).toBe(Object.values(HIDING).length + Object.values(LEFT_OUT).length);
    expect(manifest.malformed.count).toBe(0);
  });
});
