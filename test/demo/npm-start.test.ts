/**
 * `npm start` as a new user runs it: demo/main.ts in a fresh process (from an empty directory, so its
 * `.demo-output` is the test's own), both clouds end to end on the emulators and fakes.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(".");
let dir: string;
let stdout: string;
let stderr: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "npm-start-"));
  // The start script's own node flags and loader, resolved from the repository (the cwd is the empty directory).
  const { scripts } = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const [node, ...args] = scripts.start.split(" ");
  expect(node).toBe("node");
  const argv = args.map((arg, i) =>
    arg.endsWith(".ts") ? join(ROOT, arg) : args[i - 1] === "--import" ? createRequire(join(ROOT, "package.json")).resolve(arg) : arg,
  );
  // Rejects (failing the suite) if the demo exits with anything but 0.
  ({ stdout, stderr } = await run(process.execPath, argv, { cwd: dir, env: { ...process.env, NODE_OPTIONS: "" }, maxBuffer: 16 * 1024 * 1024 }));
}, 300_000);
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("prints one complete summary per cloud and no warning line", () => {
    expect(stdout).toMatch(/^Azure summary: 3 tables over .*; every row exported exactly once, and DuckDB reads them all\.$/m);
    expect(stdout).toMatch(/^AWS summary: 4 exports of .*; every row exported once, and DuckDB reads them all\.$/m);
    expect(stdout).toMatch(/^Both clouds complete \(/m);
    expect(stdout).toMatch(/run in this process without the Functions host/);
    expect(`${stdout}\n${stderr}`).not.toMatch(/WARNING|Warning:/);
  });

  it("leaves both clouds' output, with the Parquet DuckDB read, in .demo-output", async () => {
    const output = join(dir, ".demo-output");
    expect((await readdir(output)).sort()).toEqual(["coverage.html", "functions.log", "lambda.log", "log-export-state", "log-exports", "s3", "settings.json"]);
    const keys = await readdir(join(output, "s3", "pulp-exports"), { recursive: true });
    expect(keys.filter((k) => k.endsWith(".parquet"))).toHaveLength(4);
    expect(stdout).toMatch(/^package +requests +orgs$/m);
  });

  it("writes one coverage page with both clouds' tables, every day of them complete", async () => {
    const page = await readFile(join(dir, ".demo-output", "coverage.html"), "utf8");
    expect([...page.matchAll(/<h2 id="section-\d">([^<]+)<\/h2>/g)].map((m) => m[1])).toEqual([
      "Azure Log Analytics, Azurite (60-minute windows)",
      "AWS CloudWatch Logs, s3://pulp-exports on s3rver (hours)",
    ]);
    const cells = [...page.matchAll(/data-table="([^"]+)" data-day="[^"]+" data-state="([^"]+)"/g)];
    expect([...new Set(cells.map((m) => m[1]))]).toEqual([
      "AppRequests",
      "AppTraces",
      "SecurityEvent",
      "pulp_access_logs",
      "pulp_content_python_logs",
      "pulp_content_rpm_logs",
      "pulp_content_maven_logs",
    ]);
    expect(cells.every((m) => m[2] === "complete")).toBe(true);
    expect(stdout).toMatch(/^Coverage page, both clouds on one heatmap \(open it in a browser\): .*coverage\.html$/m);
  });
});
