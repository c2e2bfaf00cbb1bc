import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { formatBytes, renderTable } from "../cli/table.js";
import { buildCli } from "../scripts/build-cli.js";
import { NODE_ESM } from "../scripts/node-esm.js";
import { writeSanitizeCorpus } from "./sanitize-corpus.js";
import { denseCorpusLines } from "./sanitize-dense-corpus.js";
import { benchSanitizeLeaks } from "./sanitize-leaks.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("..", import.meta.url));
const SEED = fileURLToPath(new URL("../../shared/peers/seed_sanitize.py", import.meta.url));
const RUNS = 3;
/** A fixed, public key so pseudonymizing rules run as in production; not a secret. */
const BENCH_HMAC_KEY = Buffer.alloc(32, 7).toString("base64");

// Runs a command and reports its wall time and peak RSS from wait4(), which sees exactly that one process.
const MEASURE = `
import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(json.dumps({"seconds": time.perf_counter() - start, "cpuSeconds": usage.ru_utime + usage.ru_stime, "maxRssKb": usage.ru_maxrss, "exitCode": os.waitstatus_to_exitcode(status)}))
`;

interface Case {
  readonly label: string;
  readonly command: readonly string[];
  readonly input: { readonly path: string; readonly bytes: number };
  readonly output: string;
}

interface Measured extends Case {
  readonly seconds: number;
  /** User + system CPU time of the process and its threads: what other load on the machine changes least. */
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly stderr: string;
}

async function measureOnce(c: Case): Promise<Measured> {
  // The previous case's output (about 190 MB) must not be written back to disk, nor this case's old output be
  // freed, while this case runs: the kernel's writeback takes CPU from a tool that uses both cores, not from
  // one that leaves a core idle.
  await rm(c.output, { force: true });
  await run("sync", []);
  const env = { ...process.env, LOGEXPORT_HMAC_KEY: BENCH_HMAC_KEY };
  const { stdout, stderr } = await run("python3", ["-c", MEASURE, ...c.command], { cwd: REPO, env, maxBuffer: 1 << 24 });
  const figures = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { seconds: number; cpuSeconds: number; maxRssKb: number; exitCode: number };
  if (figures.exitCode !== 0) throw new Error(`${c.label} exited with ${figures.exitCode}:\n${stderr}`);
  return { ...c, seconds: figures.seconds, cpuSeconds: figures.cpuSeconds, peakRssBytes: figures.maxRssKb * 1024, stderr };
}

/** The fastest of RUNS rounds over all cases: other load on the machine only slows a run down, and rounds spread it over the cases. */
async function measureFastest(cases: readonly Case[]): Promise<Measured[]> {
  const best: (Measured | undefined)[] = cases.map(() => undefined);
  for (let round = 1; round <= RUNS; round += 1) {
    process.stdout.write(`  round ${round}/${RUNS}…\n`);
    for (const [i, c] of cases.entries()) {
      const measured = await measureOnce(c);
      const previous = best[i];
      if (previous === undefined || measured.seconds < previous.seconds) best[i] = measured;
    }
  }
  return best.map((m, i) => {
    if (m === undefined) throw new Error(`${cases[i]?.label} did not run`);
    return m;
  });
}

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

const megabytesPerSecond = (m: Measured) => m.input.bytes / 1e6 / m.seconds;

function verdict(ok: boolean): string {
  if (!ok) process.exitCode = 1;
  return ok ? "ok" : "FAILED";
}

interface Corpus {
  readonly name: string;
  readonly input: { readonly path: string; readonly bytes: number };
}

const TARGET_VS_SEED = 2.5;
const TARGET_VS_FLOOR = 1;

/** Ours with the default threads, the seed and the Node floor on one corpus. */
function corpusCases(corpus: Corpus, dir: string, floor: string): Case[] {
  const out = (tool: string) => join(dir, `${corpus.name}-${tool}.out.jsonl`);
  return [
    { label: `ours, ${corpus.name}`, command: cli(corpus.input, out("ours")), input: corpus.input, output: out("ours") },
    { label: `seed, ${corpus.name}`, command: ["python3", SEED, corpus.input.path, out("seed")], input: corpus.input, output: out("seed") },
    { label: `Node floor, ${corpus.name}`, command: [process.execPath, floor, corpus.input.path, out("floor")], input: corpus.input, output: out("floor") },
  ];
}

/** Ours as installed: bin/logexport.mjs over dist/cli, compiled at the start of the bench as `prepare` does. */
const cli = (input: { path: string }, output: string, ...flags: string[]) => [
  process.execPath,
  "bin/logexport.mjs",
  "sanitize",
  "--in",
  input.path,
  "--out",
  output,
  ...flags,
];

/** The floor compiled the same way, so neither side pays for compiling TypeScript at start. */
async function buildFloor(dir: string): Promise<string> {
  await build({ ...NODE_ESM, entryPoints: { "sanitize-floor": "bench/sanitize-floor.ts" }, outdir: dir, sourcemap: false, legalComments: "none" });
  return join(dir, "sanitize-floor.mjs");
}

function ratios(corpus: Corpus, [ours, seed, floor]: readonly Measured[]): void {
  if (ours === undefined || seed === undefined || floor === undefined) throw new Error("three cases per corpus");
  const vsSeed = megabytesPerSecond(ours) / megabytesPerSecond(seed);
  const vsFloor = megabytesPerSecond(ours) / megabytesPerSecond(floor);
  process.stdout.write(
    `${corpus.name}: ours / seed ${vsSeed.toFixed(2)}× (target ≥ ${TARGET_VS_SEED}×: ${verdict(vsSeed >= TARGET_VS_SEED)}), ours / floor ${(100 * vsFloor).toFixed(0)} % (target ≥ ${100 * TARGET_VS_FLOOR} %: ${verdict(vsFloor >= TARGET_VS_FLOOR)})\n`,
  );
}

/**
 * Issue figures of the sanitizer: MB/s of ours, the seed and the Node floor on the Kubernetes-style corpus
 * and on the dense one (every line an IP, a bearer token and a user id; a third an e-mail and a card);
 * ours with one thread (same output) and the peak RSS of ours at 100,000 vs 500,000 lines.
 */
export async function benchSanitize(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "logexport-bench-sanitize-"));
  try {
    await buildCli();
    const floor = await buildFloor(dir);
    process.stdout.write(
      `Each tool in its own process on the same generated corpora (page-cached), fastest of ${RUNS} rounds, each case started after the previous one's output is on disk; MB/s = input bytes / 10^6 / wall seconds incl. start-up; ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the start.\n\n`,
    );
    const corpus = async (name: string, lines: number, generate?: (count: number) => Iterable<string>): Promise<Corpus> => {
      const path = join(dir, `${name}.jsonl`);
      return { name, input: { path, bytes: await writeSanitizeCorpus(path, lines, generate) } };
    };
    const kubernetes = await corpus("kubernetes", 500_000);
    const dense = await corpus("dense", 500_000, denseCorpusLines);
    const small = await corpus("kubernetes-100k", 100_000);
    process.stdout.write(
      `  corpora: kubernetes 500,000 lines, ${formatBytes(kubernetes.input.bytes)}; dense 500,000 lines, ${formatBytes(dense.input.bytes)}; kubernetes 100,000 lines, ${formatBytes(small.input.bytes)}\n`,
    );
    const oneThread = join(dir, "kubernetes-ours-1.out.jsonl");
    const smallOut = join(dir, "kubernetes-100k-ours.out.jsonl");
    const measured = await measureFastest([
      ...corpusCases(kubernetes, dir, floor),
      ...corpusCases(dense, dir, floor),
      { label: "ours --threads 1, kubernetes", command: cli(kubernetes.input, oneThread, "--threads", "1"), input: kubernetes.input, output: oneThread },
      { label: "ours, kubernetes 100,000 lines", command: cli(small.input, smallOut), input: small.input, output: smallOut },
    ]);
    const [ours, , , oursDense, , , oursOneThread, oursSmall] = measured;
    if (ours === undefined || oursDense === undefined || oursOneThread === undefined || oursSmall === undefined) throw new Error("eight cases, eight results");
    const identical = (await sha256(ours.output)) === (await sha256(oursOneThread.output));

    process.stdout.write(
      `\n${renderTable([
        ["tool", "input", "MB/s", "seconds", "CPU seconds", "peak RSS"],
        ...measured.map((m) => [
          m.label,
          formatBytes(m.input.bytes),
          Number(megabytesPerSecond(m).toFixed(1)),
          Number(m.seconds.toFixed(2)),
          Number(m.cpuSeconds.toFixed(2)),
          formatBytes(m.peakRssBytes),
        ]),
      ])}\n\n`,
    );
    ratios(kubernetes, measured.slice(0, 3));
    ratios(dense, measured.slice(3, 6));
    const rss = ours.peakRssBytes / oursSmall.peakRssBytes;
    process.stdout.write(`peak RSS of ours, 500,000 / 100,000 lines: ${rss.toFixed(2)} (flat means ≤ 1.5: ${verdict(rss <= 1.5)})\n`);
    process.stdout.write(`output of the default threads vs --threads 1: ${identical ? "byte-identical" : `DIFFERENT (${verdict(false)})`}\n`);
    process.stdout.write(`\nsummary printed by ours (dense, 500,000 lines):\n${oursDense.stderr.trimEnd()}\n`);
    benchSanitizeLeaks();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
