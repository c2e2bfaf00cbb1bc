/** Seed 000's habits on the command line: the table list from a file (`--table @file`) and a time on every log line. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCommand } from "../../cli/commands/export.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { capturedIO } from "../helpers/cli-io.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 20);
let fake: FakeLogAnalytics;
let dir: string;

beforeAll(async () => {
  const table = (name: string) =>
    new SyntheticTable({
      name,
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        { name: "Message", type: "string" },
      ],
      bytesPerRow: 100,
      rowsInMinute: (m) => (m >= DAY ? 3 : 0),
    });
  fake = await startFakeLogAnalytics({ tables: [table("AppTraces"), table("Syslog"), table("Heartbeat")] });
  dir = await mkdtemp(join(tmpdir(), "logexport-table-file-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const io = () => capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1` }, now: () => DAY + 6 * HOUR_MS });
const args = (tables: string, out: string) => [
  "--workspace",
  fake.workspaceId,
  "--table",
  tables,
  "--start",
  "2026-11-20T00:00:00Z",
  "--end",
  "2026-11-20T02:00:00Z",
  "--format",
  "jsonl.gz",
  "--out",
  out,
];

describe("--table @file and timed log lines", () => {
  it("exports the tables a file lists (comments and blank lines ignored), each log and progress line with its time", async () => {
    const list = join(dir, "tables.txt");
    await writeFile(list, "# tables to export\nAppTraces\n\nSyslog   # the noisy one\n");
    const cli = io();
    expect(await exportCommand([...args(`@${list}`, join(dir, "out")), "--verbose"], cli)).toBe(0);
    expect(cli.out()).toMatch(/^AppTraces +2 /m);
    expect(cli.out()).toMatch(/^Syslog +2 /m);
    expect(cli.out()).not.toMatch(/Heartbeat/);
    const lines = cli.err().trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines)
      expect(line).toMatch(/^(\{"time":"2026-11-20T06:00:00\.000Z","level":"(info|warn|error)"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \d+\/4 windows )/);
  });

  it("refuses an unreadable or empty table file naming it", async () => {
    await expect(exportCommand(args(`@${join(dir, "missing.txt")}`, join(dir, "x")), io())).rejects.toThrow(
      /--table @.*missing\.txt: cannot read it \(ENOENT\)/,
    );
    const empty = join(dir, "empty.txt");
    await writeFile(empty, "# nothing\n\n");
    await expect(exportCommand(args(`@${empty}`, join(dir, "x")), io())).rejects.toThrow(/--table @.*empty\.txt lists no table/);
  });
});
