import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { capturedIO, type CapturedIO } from "../helpers/cli-io.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exportCommand } from "../../cli/commands/export.js";
import { CliError } from "../../cli/errors.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { parseManifest } from "../../shared/engine/manifest.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { uniqueName } from "../helpers/storage.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 20);
let fake: FakeLogAnalytics;
let dir: string;

beforeAll(async () => {
  fake = await startFakeLogAnalytics({
    tables: [
      new SyntheticTable({
        name: "Syslog",
        columns: [
          { name: "TimeGenerated", type: "datetime" },
          { name: "SyslogMessage", type: "string" },
        ],
        bytesPerRow: 100,
        rowsInMinute: (m) => (m >= DAY ? 7 : 0),
      }),
    ],
  });
  dir = await mkdtemp(join(tmpdir(), "logexport-cli-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function io(env: Readonly<Record<string, string>> = {}): CapturedIO {
  return capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1`, ...env }, now: () => DAY + 5 * HOUR_MS });
}

const base = () => ["--workspace", fake.workspaceId, "--table", "Syslog", "--start", "2026-11-20T00:30:00Z", "--end", "-2h", "--format", "jsonl.gz"];

async function files(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe("logexport export", () => {
  it("exports a range to a directory: widened to whole windows, manifests, ledger, summary and progress", async () => {
    const out = join(dir, "run1");
    const cli = io();
    expect(await exportCommand([...base(), "--out", out], cli)).toBe(0);
    const names = await files(out);
    const data = names.filter((n) => n.endsWith(".jsonl.gz"));
    expect(data).toEqual([
      "table=Syslog/year=2026/month=11/day=20/hour=00/Syslog_20261120T000000Z_20261120T010000Z_part-1-of-1.jsonl.gz",
      "table=Syslog/year=2026/month=11/day=20/hour=01/Syslog_20261120T010000Z_20261120T020000Z_part-1-of-1.jsonl.gz",
      "table=Syslog/year=2026/month=11/day=20/hour=02/Syslog_20261120T020000Z_20261120T030000Z_part-1-of-1.jsonl.gz",
    ]);
    const lines = (
      await Promise.all(
        data.map(async (n) =>
          gunzipSync(await readFile(join(out, n)))
            .toString()
            .trim()
            .split("\n"),
        ),
      )
    ).flat();
    expect(lines).toHaveLength(fake.table("Syslog").rowsIn(DAY, DAY + 3 * HOUR_MS));
    expect(names.filter((n) => n.startsWith("_logexport/manifests/"))).toHaveLength(3);
    expect(names.some((name) => /^_logexport\/ledger\/2026-11-20\/[A-Za-z_]+\.csv$/.test(name))).toBe(true);
    expect(names.some((n) => n.endsWith(".partial"))).toBe(false);
    expect(cli.out()).toMatch(/Syslog\s+3\s+0\s+0\s+1260\s+1260\s+3/);
    expect(cli.out()).toContain(
      "exported range [2026-11-20T00:00:00.000Z, 2026-11-20T03:00:00.000Z) (requested [2026-11-20T00:30:00.000Z, 2026-11-20T03:00:00.000Z): widened to whole 60-minute windows)",
    );
    expect(cli.out()).toContain("rows were sanitized");
    expect(cli.err()).toMatch(/3\/3 windows/);

    const again = io();
    expect(await exportCommand([...base(), "--out", out], again)).toBe(0);
    expect(again.out()).toMatch(/Syslog\s+3\s+3\s+0\s+1260\s+1260/);
  });

  it("exports to a Blob container URL with a connection string from a file, and refuses one on the command line", async () => {
    const connectionString = inject("azuriteConnectionString");
    const container = uniqueName("cli");
    const url = `${inject("azuriteBlobUrl")}/${container}/exports/la`;
    await expect(exportCommand([...base(), "--out", url, "--connection-string", connectionString], io())).rejects.toThrow(
      /--connection-string is not taken: a value on the command line shows in process listings/,
    );
    const file = join(dir, "connection-string.txt");
    await writeFile(file, `${connectionString}\n`, { mode: 0o600 });
    expect(await exportCommand([...base(), "--out", url, "--connection-string-file", file], io())).toBe(0);
    const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
    const names: string[] = [];
    for await (const b of client.listBlobsFlat()) names.push(b.name);
    expect(names.filter((n) => n.startsWith("exports/la/table=Syslog/"))).toHaveLength(3);
    const manifestName = names.find((n) => n.startsWith("_logexport/manifests/")) ?? "";
    const manifest = parseManifest((await client.getBlobClient(manifestName).downloadToBuffer()).toString());
    expect(manifest?.objects[0]?.name).toMatch(/^exports\/la\/table=Syslog\//);
  });

  it.each([
    [["--table", "Syslog"], CliError, /--start is required/],
    [["--table", "Syslog", "--start", "-1h", "--out", "x"], CliError, /--workspace is required/],
    [["--workspace", "00000000-0000-4000-8000-000000000001", "--table", "Syslog", "--start", "-10m", "--out", "x"], CliError, /nothing to export yet/],
    [["--workspace", "00000000-0000-4000-8000-000000000001", "--out", "x", "--bogus"], CliError, /unknown flag --bogus/],
    [["--workspace", "not-a-guid", "--table", "Syslog", "--start", "-1h", "--out", "x"], CliError, /--workspace must be a workspace GUID/],
    [
      ["--workspace", "00000000-0000-4000-8000-000000000001", "--table", "Sys log", "--start", "-1h", "--out", "x"],
      CliError,
      /--table: "Sys log" is not a valid table name/,
    ],
    [
      ["--workspace", "00000000-0000-4000-8000-000000000001", "--table", "Syslog", "--start", "-1h", "--end", "-2h", "--out", "x"],
      CliError,
      /--start must be before --end/,
    ],
    [
      ["--workspace", "00000000-0000-4000-8000-000000000001", "--table", "Syslog", "--start", "-1h", "--window-minutes", "7", "--out", "x"],
      CliError,
      /--window-minutes must divide a day/,
    ],
  ])("rejects bad input %j with a clear error", async (argv, type, message) => {
    const run = exportCommand(argv, io());
    await expect(run).rejects.toBeInstanceOf(type);
    await expect(exportCommand(argv, io())).rejects.toThrow(message);
  });
});
