/**
 * `npm run bench -- cli-start`: wall time of fresh CLI processes, each command started RUNS times in turns
 * (so load on the machine spreads over all of them): `logexport --help` as installed (bin/ launcher over
 * dist/cli, built here first, as `prepare` does), a command that loads its SDK, Node's own start as the
 * floor, and the TypeScript through tsx (`npm run logexport`) as before compiling.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { renderTable } from "../cli/table.js";
import { buildCli } from "../scripts/build-cli.js";

const RUNS = 21;
const TARGET_MS = 200;
const TSX = createRequire(import.meta.url).resolve("tsx/cli");

interface StartCase {
  readonly label: string;
  readonly args: readonly string[];
}

const CASES: readonly StartCase[] = [
  { label: "node -e 0 (Node's own start)", args: ["-e", "0"] },
  { label: "logexport --help", args: ["bin/logexport.mjs", "--help"] },
  { label: "logexport upload --help (loads the upload command)", args: ["bin/logexport.mjs", "upload", "--help"] },
  { label: "export-access-logs --help", args: ["bin/export-access-logs.mjs", "--help"] },
  { label: "tsx cli/main.ts --help (from source)", args: [TSX, "cli/main.ts", "--help"] },
];

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
  const times = CASES.map(() => [] as number[]);
  for (let round = 0; round < RUNS; round += 1) for (const [i, c] of CASES.entries()) times[i]?.push(startMs(c));
  const sorted = times.map((t) => [...t].sort((a, b) => a - b));
  process.stdout.write(`Wall ms from spawn to exit, ${RUNS} fresh processes per command in turns; ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the end.\n\n`);
  process.stdout.write(`${renderTable([["command", "median ms", "fastest ms"], ...CASES.map((c, i) => [c.label, Number(median(sorted[i] ?? []).toFixed(0)), Number((sorted[i]?.[0] ?? Number.NaN).toFixed(0))])])}\n\n`);
  const help = median(sorted[1] ?? []);
  const ok = help < TARGET_MS;
  if (!ok) process.exitCode = 1;
  process.stdout.write(`logexport --help: median ${help.toFixed(0)} ms (target < ${TARGET_MS} ms: ${ok ? "ok" : "FAILED"}), ${(help - median(sorted[0] ?? [])).toFixed(0)} ms above Node's own start\n`);
}
