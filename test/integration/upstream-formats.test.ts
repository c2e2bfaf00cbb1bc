/**
 * Issue 16's "Why", one test per bullet, in each envelope shape a CloudWatch event comes in (bare, an
 * OpenShift envelope's `message`, a Fluent Bit envelope's `log`), through the CLIs against the fake
 * CloudWatch Logs; then a generated hour of mixed Pulp lines per shape: every access line a row, only the
 * lines that are no access line counted as malformed.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportAccessLogsCommand } from "../../cli/commands/export-access-logs.js";
import { exportContentLogsCommand } from "../../cli/commands/export-content-logs.js";
import { HOUR_MS } from "../../shared/core/time.js";
import type { ExportManifest } from "../../shared/engine/manifest.js";
import { ENVELOPE_SHAPES, type EnvelopeShape } from "../../shared/parsers/envelope.js";
import { capturedIO } from "../helpers/cli-io.js";
import { EventListGroup } from "../helpers/event-list-group.js";
import { startFakeCloudWatchLogs, type FakeCloudWatchLogs } from "../helpers/fake-cloudwatch-logs.js";
import { pulpHourStream } from "../helpers/pulp-log-stream.js";
import { ACCESS_ROW_KINDS } from "./cloudwatch-expected-rows.js";

const HOUR = Date.UTC(2026, 6, 20, 13);
const TIME = "[20/Jul/2026:13:47:49 +0000]";
const DN = "/O=Red Hat/OU=Pulp/CN=svc-build";

/** The bullets' lines: the deployed ( … ) format with a DN user and a distribution with slashes; content lines with a field after request_time, an RPM without an epoch, a forwarded chain. */
const LINES = {
  deployed: `(pulp [c-1]: 10.128.4.9 - user:${DN} org_id:4242 ${TIME} "GET /api/pypi/public-rhai/rhoai/3.4/cuda12.4-ubi9/simple/typing-extensions/ HTTP/1.1" 200 512 "-" "uv/0.9.26 {}" 31 x_forwarded_for:"23.48.249.160, 10.0.0.1")`,
  wheel: `10.128.4.123 ${TIME} "GET /api/pulp-content/public-rhai/rhoai/3.4/cuda12.4-ubi9/requests-2.34.2-2-py3-none-any.whl HTTP/1.1" 200 19456789 "-" "pip/24.0" cache:"HIT" artifact_size:"19456789" rh_org_id:"123456" x_forwarded_for:"23.48.249.160,10.0.0.1" request_time:"0.003200" upstream_status:"200"`,
  rpm: `10.128.4.125 ${TIME} "GET /api/pulp-content/public-copr/packit/fedora-43-x86_64/Packages/b/bash-5.2.26-4.fc43.x86_64.rpm HTTP/1.1" 200 5678901 "-" "dnf/4.18.0" cache:"MISS" artifact_size:"5678901" rh_org_id:"-" x_forwarded_for:"66.187.232.140, 66.187.232.140, 23.220.105.201" request_time:"0.078300"`,
} as const;

function wrap(shape: EnvelopeShape, line: string): string {
  if (shape === "bare") return line;
  if (shape === "message")
    return JSON.stringify({
      "@timestamp": "2026-07-20T13:47:49.000Z",
      message: line,
      hostname: "ip-10-0-1-20",
      kubernetes: { namespace_name: "pulp-prod", pod_name: "pulp-api-1" },
    });
  return JSON.stringify({ log: `${line}\n`, stream: "stdout", kubernetes: { namespace_name: "pulp-prod", pod_name: "pulp-api-1" } });
}

const GENERATED = 12_000;
let fake: FakeCloudWatchLogs;
let dir: string;
let duck: DuckDBConnection;

beforeAll(async () => {
  const groups = ENVELOPE_SHAPES.flatMap((shape) => [
    new EventListGroup(
      `/lines/${shape}`,
      Object.values(LINES).map((line, i) => ({ timestamp: HOUR + 1_000 * (i + 1), message: wrap(shape, line) })),
    ),
    pulpHourStream({ hourStartMs: HOUR, eventsInHour: GENERATED, envelope: shape, logGroupName: `/generated/${shape}`, marginSeconds: 60 }),
  ]);
  fake = await startFakeCloudWatchLogs({ groups });
  dir = await mkdtemp(join(tmpdir(), "upstream-formats-"));
  duck = await (await DuckDBInstance.create(":memory:")).connect();
  Object.assign(process.env, { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: fake.url, AWS_ACCESS_KEY_ID: "fake", AWS_SECRET_ACCESS_KEY: "fake", AWS_MAX_ATTEMPTS: "3" });
}, 60_000);
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const range = ["--start-time", "2026-07-20T13:00:00", "--end-time", "2026-07-20T13:59:59"];

async function rows(file: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(`SELECT * EXCLUDE ("timestamp") FROM '${file}' ORDER BY "timestamp"`)).getRowObjectsJS() as Record<string, unknown>[];
}

async function manifestOf(file: string): Promise<ExportManifest> {
  return JSON.parse(await readFile(join(dirname(file), `_${basename(file)}.manifest.json`), "utf8")) as ExportManifest;
}

describe.each(ENVELOPE_SHAPES)("each bullet of issue 16's Why, events %s", (shape) => {
  const group = ["--cloudwatch-group", `/lines/${shape}`, ...range];

  it("exports the access line (the deployed ( … ) format): an x509 DN with spaces as the user, a distribution with slashes", async () => {
    const file = join(dir, `access-${shape}.parquet`);
    expect(await exportAccessLogsCommand([...group, "--output-path", file], capturedIO())).toBe(0);
    expect(await rows(file)).toEqual([
      {
        message: LINES.deployed,
        user: DN,
        org_id: "4242",
        domain: "public-rhai",
        distribution: "rhoai/3.4/cuda12.4-ubi9",
        package: "typing-extensions",
        status_code: 200,
        user_agent: "uv/0.9.26 {}",
        x_forwarded_for: "23.48.249.160",
      },
    ]);
    expect((await manifestOf(file)).malformed.count).toBe(0);
  });

  it('exports a content line with one more key:"value" field after request_time, keeping the whole forwarded chain', async () => {
    const file = join(dir, `python-${shape}.parquet`);
    expect(await exportContentLogsCommand([...group, "--content-type", "python", "--output-path", file], capturedIO())).toBe(0);
    expect(await rows(file)).toMatchObject([
      {
        distribution: "rhoai/3.4/cuda12.4-ubi9",
        package_name: "requests",
        package_version: "2.34.2",
        build_tag: "2",
        request_time_ms: 3,
        x_forwarded_for: "23.48.249.160,10.0.0.1",
      },
    ]);
  });

  it("writes RPM epoch 0 where the file name has none, and the whole forwarded chain", async () => {
    const file = join(dir, `rpm-${shape}.parquet`);
    expect(await exportContentLogsCommand([...group, "--content-type", "rpm", "--output-path", file], capturedIO())).toBe(0);
    expect(await rows(file)).toMatchObject([
      {
        package_name: "bash",
        epoch: 0,
        release: "4.fc43",
        distribution: "packit/fedora-43-x86_64",
        x_forwarded_for: "66.187.232.140, 66.187.232.140, 23.220.105.201",
        org_id: null,
      },
    ]);
  });
});

describe("a generated hour of mixed Pulp lines in each envelope shape", () => {
  it.each(ENVELOPE_SHAPES)("%s: every access line is a row; malformed counts only the lines that are no access line", async (shape) => {
    const stream = pulpHourStream({ hourStartMs: HOUR, eventsInHour: GENERATED, envelope: shape, logGroupName: `/generated/${shape}`, marginSeconds: 60 });
    const truth = { rows: 0, malformed: 0 };
    for (const e of stream.events(HOUR, HOUR + HOUR_MS)) {
      if (ACCESS_ROW_KINDS.has(e.kind)) truth.rows += 1;
      if (e.kind === "malformed") truth.malformed += 1;
    }
    const file = join(dir, `generated-${shape}.parquet`);
    expect(await exportAccessLogsCommand(["--cloudwatch-group", `/generated/${shape}`, ...range, "--output-path", file], capturedIO())).toBe(0);
    const manifest = await manifestOf(file);
    expect({ rows: manifest.exportedRows, malformed: manifest.malformed.count }).toEqual(truth);
    expect(truth.rows).toBeGreaterThan(GENERATED * 0.8);
    expect(await readdir(dir)).toContain(basename(file));
  });
});
