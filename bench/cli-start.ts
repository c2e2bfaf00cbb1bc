/**
 * `npm run bench -- cli-start`: wall time of fresh CLI processes, each command started RUNS times in turns
 * (so load on the machine spreads over all of them): `logexport --help` as installed (bin/ launcher over
 * dist/cli, built here first, as `prepare` does), commands that load their SDKs or the sanitizer's rules,
 * Node's own start as the floor, and the TypeScript through tsx (`npm run logexport`) as before compiling.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { renderTable } from "../cli/table.js";
import { buildCli } from "../scripts/build-cli.js";

const RUNS = 21;
const TARGET_MS = 200;
const TSX = createRequire(import.meta.url).resolve("tsx/cli");

interface StartCase {
  readonly label: string;
  readonly args: readonly string[];
}

function startCases(oneLine: string, out: string): readonly StartCase[] {
  return [
    { label: "node -e 0 (Node's own start)", args: ["-e", "0"] },
    { label: "logexport --help", args: ["bin/logexport.mjs", "--help"] },
    { label: "logexport sanitize, a one-line file (loads the rules)", args: ["bin/logexport.mjs", "sanitize", "--in", oneLine, "--out", out] },
    { label: "logexport upload --help (loads both clouds' SDKs)", args: ["bin/logexport.mjs", "upload", "--help"] },
    { label: "export-access-logs --help", args: ["bin/export-access-logs.mjs", "--help"] },
    { label: "tsx cli/main.ts --help (from source)", args: [TSX, "cli/main.ts", "--help"] },
  ];
}

/** Milliseconds from spawn to exit of one process; throws on a failed start so a broken build is not timed. */
function startMs(c: StartCase): number {
  const begin = process.hrtime.bigint();
  const result = spawnSync(process.execPath, c.args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  const ms = Number(process.hrtime.bigint() - begin) / 1e6;
  if (result.status !== 0) throw new Error(`${c.label} exited with ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

const median = (sorted: readonly number[]) => sorted[sorted.length >> 1] ?? Number.NaN;

export async function benchCliStart(): Promise<void> {
  await buildCli();
  const dir = await mkdtemp(join(tmpdir(), "logexport-bench-cli-start-"));
  try {
    const oneLine = join(dir, "one.jsonl");
    await writeFile(oneLine, `${JSON.stringify({ message: "user alice@example.com signed in", status: 200 })}\n`);
    const cases = startCases(oneLine, join(dir, "one.out.jsonl"));
    const times = cases.map(() => [] as number[]);
    for (let round = 0; round < RUNS; round += 1) for (const [i, c] of cases.entries()) times[i]?.push(startMs(c));
    const sorted = times.map((t) => [...t].sort((a, b) => a - b));
    process.stdout.write(
      `Wall ms from spawn to exit, ${RUNS} fresh processes per command in turns; ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the end.\n\n`,
    );
    process.stdout.write(
      `${renderTable([["command", "median ms", "fastest ms"], ...cases.map((c, i) => [c.label, Number(median(sorted[i] ?? []).toFixed(0)), Number((sorted[i]?.[0] ?? Number.NaN).toFixed(0))])])}\n\n`,
    );
    const help = median(sorted[1] ?? []);
    const ok = help < TARGET_MS;
    if (!ok) process.exitCode = 1;
    process.stdout.write(
      `logexport --help: median ${help.toFixed(0)} ms (target < ${TARGET_MS} ms: ${ok ? "ok" : "FAILED"}), ${(help - median(sorted[0] ?? [])).toFixed(0)} ms above Node's own start\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
