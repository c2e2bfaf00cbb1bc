/**
 * The CLIs as installed: scripts/build-cli.ts compiles them (what `prepare` runs) into a temporary copy of the
 * repo's layout, bin/ launchers beside dist/cli, outside the repo so that nothing resolves from node_modules or
 * through tsx. Every bin of package.json runs, sanitize hands a batch to a worker thread (the compiled twin of
 * cli/sanitize/worker-entry.mjs), export queries the fake Log Analytics into a local directory, tsx and
 * esbuild stay dev dependencies, and a missing build is named with the command that makes it.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ENTRIES } from "../../scripts/build-cli.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { copyLaunchers, installCompiledCli } from "../helpers/compiled-cli.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const execFileAsync = promisify(execFile);
let dir: string;
let bins: Readonly<Record<string, string>>;
let fake: FakeLogAnalytics;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <root>/<bin> …args` with only PATH and `env` (no loader from vitest's NODE_OPTIONS) and never rejects. */
async function run(root: string, bin: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [join(root, bin), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "logexport-compiled-"));
  await installCompiledCli(dir);
  bins = (JSON.parse(await readFile("package.json", "utf8")) as { bin: Record<string, string> }).bin;
  fake = await startFakeLogAnalytics({
    tables: [
      new SyntheticTable({
        name: "Syslog",
        columns: [
          { name: "TimeGenerated", type: "datetime" },
          { name: "SyslogMessage", type: "string" },
        ],
        bytesPerRow: 100,
        rowsInMinute: () => 3,
      }),
    ],
  });
}, 120_000);

afterAll(async () => {
  await fake?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("the compiled CLIs", () => {
  it("compile one entry per bin of package.json, and each bin prints its usage from dist/cli", async () => {
    expect(Object.keys(bins).sort()).toEqual(
      Object.keys(CLI_ENTRIES)
        .filter((name) => name !== "worker-entry")
        .sort(),
    );
    for (const [name, bin] of Object.entries(bins)) {
      const ran = await run(dir, bin, ["--help"]);
      expect(ran.stdout, `${name} --help`).toMatch(new RegExp(`^usage: ${name} `));
      expect(ran.stderr, `${name} --help`).toBe("");
    }
    expect((await run(dir, "bin/logexport.mjs", ["--help"])).code).toBe(0);
    const unknown = await run(dir, "bin/logexport.mjs", ["exprot"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^logexport: unknown command "exprot"/);
  });

  it("sanitize with two threads: a worker thread loads the compiled twin and the output is redacted", async () => {
    const input = join(dir, "app.jsonl");
    const output = join(dir, "clean.jsonl");
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ message: `user${i}@example.com paid`, status: 200 + (i % 3) }));
    await writeFile(input, `${lines.join("\n")}\n`);
    const ran = await run(dir, "bin/logexport.mjs", ["sanitize", "--in", input, "--out", output, "--threads", "2"]);
    expect(ran.stderr).toMatch(/sanitized 200 lines .*, 2 threads/);
    expect(ran.code).toBe(0);
    const cleaned = (await readFile(output, "utf8")).trimEnd().split("\n");
    expect(cleaned).toHaveLength(200);
    expect(cleaned.filter((line) => line.includes("@example.com"))).toEqual([]);
    expect(cleaned[7]).toBe(JSON.stringify({ message: "[REDACTED:email] paid", status: 201 }));
  });

  it("export: two hours of the fake Log Analytics into a local directory, every row once", async () => {
    const start = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 4 * HOUR_MS;
    const out = join(dir, "exports");
    const args = [
      "export",
      "--workspace",
      fake.workspaceId,
      "--table",
      "Syslog",
      "--start",
      new Date(start).toISOString(),
      "--end",
      new Date(start + 2 * HOUR_MS).toISOString(),
      "--format",
      "jsonl.gz",
      "--out",
      out,
    ];
    const ran = await run(dir, "bin/logexport.mjs", args, { AZURE_LOGS_ENDPOINT: `${fake.url}/v1` });
    expect(ran.stderr).not.toMatch(/unexpected error/);
    expect(ran.code).toBe(0);
    const files = (await readdir(out, { recursive: true })).filter((name) => name.endsWith(".jsonl.gz"));
    expect(files).toHaveLength(2);
    const rows = (
      await Promise.all(
        files.map(async (name) =>
          gunzipSync(await readFile(join(out, name)))
            .toString()
            .trim()
            .split("\n"),
        ),
      )
    ).flat();
    expect(rows).toHaveLength(fake.table("Syslog").rowsIn(start, start + 2 * HOUR_MS));
    expect(ran.stdout).toMatch(/Syslog\s+2\s+0\s+0\s+360\s+360\s+2/);
  });

  it("need neither tsx nor esbuild at run time: both are dev dependencies only, in package.json and the lockfile", async () => {
    const lock = JSON.parse(await readFile("package-lock.json", "utf8")) as {
      packages: Record<string, { dev?: boolean; dependencies?: Record<string, string> }>;
    };
    expect(Object.keys(lock.packages[""]?.dependencies ?? {}).filter((name) => name === "tsx" || name === "esbuild")).toEqual([]);
    const tools = Object.entries(lock.packages).filter(([path]) => /node_modules\/(?:tsx|esbuild|@esbuild\/[^/]+)$/.test(path));
    expect(tools.map(([path]) => path)).toContain("node_modules/esbuild");
    expect(tools.filter(([, entry]) => entry.dev !== true).map(([path]) => path)).toEqual([]);
  });

  it("a missing build: each bin names the file and the command that builds it, exit 1", async () => {
    const bare = await mkdtemp(join(tmpdir(), "logexport-unbuilt-"));
    try {
      await copyLaunchers(bare);
      for (const [name, bin] of Object.entries(bins)) {
        const ran = await run(bare, bin, ["--help"]);
        expect(ran.code).toBe(1);
        expect(ran.stdout).toBe("");
        expect(ran.stderr).toBe(
          `${name}: the compiled CLI ${join(bare, "dist", "cli", `${name}.mjs`)} is missing. Build it with "npm run build:cli" (npm ci and npm install do, as "prepare"), or run the TypeScript with "npm run ${name} -- <arguments>".\n`,
        );
      }
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});
