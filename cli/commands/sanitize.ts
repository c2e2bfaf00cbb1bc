import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { integerFlag, parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { loadSanitizerSetup } from "../sanitize/config-file.js";
import { openLineInput } from "../sanitize/input.js";
import type { LineOptions } from "../sanitize/lines.js";
import { openLineOutput } from "../sanitize/output.js";
import { sanitizeLines } from "../sanitize/pipeline.js";
import { numberedLines } from "../sanitize/sample.js";
import { verifySanitized } from "../sanitize/verify.js";
import { WorkerPool } from "../sanitize/pool.js";
import { inlineProcessor, sharedProcessor, type BatchProcessor } from "../sanitize/processor.js";
import { createSanitizer, type SanitizerSetup } from "../sanitize/setup.js";
import { formatBytes, renderTable } from "../table.js";

export const SANITIZE_FLAGS: readonly FlagSpec[] = [
  { name: "config", description: "sanitizer config, JSON or YAML (default: the built-in rules)" },
  { name: "in", default: "-", description: "input file, or - for stdin" },
  { name: "out", default: "-", description: "output file (written under a temporary name, renamed when complete), or - for stdout" },
  { name: "text", boolean: true, description: "every line is plain text (default: JSON Lines; a line that is not JSON is sanitized as text)" },
  { name: "strict", boolean: true, description: "a line that is not JSON is an error (exit 1, with its line number)" },
  {
    name: "verify",
    description:
      "re-scan this sanitized file instead of sanitizing: exit 1 naming each rule that still fires, with line numbers (our own markers, masks and pseudonyms never count)",
  },
  { name: "sample", description: "with --verify: check a uniform random sample of this many lines instead of every line" },
  { name: "threads", description: "threads that sanitize, this one included (default: 2 for an input file over 32 MiB when there are 2 cores, else 1)" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY =
  "Removes PII and secrets from JSON Lines or text, line by line; prints matches per rule (never values) on stderr. Pseudonymizing rules need LOGEXPORT_HMAC_KEY. With --verify FILE, checks sanitized output before upload instead.";
/**
 * Batches are about one read chunk. Dead batches and outputs are ArrayBuffers, freed only when a collection
 * runs, which V8 starts once some tens of MB of them have piled up in each thread: measured peak RSS at
 * 100,000 / 500,000 / 1,000,000 Kubernetes lines was 166 / 235 / 261 MB with 1 MiB batches, 156 / 252 / 309 MB
 * with 2 MiB, at the same speed.
 */
const BATCH_BYTES = 1024 * 1024;
/**
 * A worker thread adds ~0.06 s of start-up (1,000 lines: 0.18–0.20 s with one thread, 0.24–0.28 s with two) and
 * sends its first result ~0.25 s after the main thread starts; below this a second thread hardly helps (100,000
 * Kubernetes lines, 40 MB: 1.03–1.08 s with one thread, 0.95–0.96 s with two).
 */
const THREADED_MIN_BYTES = 32 * 1024 * 1024;

export async function sanitizeCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("sanitize", SUMMARY, SANITIZE_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, SANITIZE_FLAGS);
  const options: LineOptions = { mode: flags.text === true ? "text" : "json", strict: flags.strict === true };
  if (options.mode === "text" && options.strict) throw new CliError("--strict applies to JSON Lines; it cannot be combined with --text");
  const setup = await loadSanitizerSetup(stringFlag(flags, "config"), io.env);
  const verify = stringFlag(flags, "verify");
  const sample = integerFlag(flags, "sample", 1, 100_000_000);
  if (verify !== undefined) return verifyFile(verify, sample, options, setup, io);
  if (sample !== undefined) throw new CliError("--sample applies to --verify (and to analyze-schema)");
  // Built before any worker starts, so a bad config or a missing key fails at once, before any output.
  const sanitizer = createSanitizer(setup);
  const input = await openLineInput(stringFlag(flags, "in") ?? "-", io.stdin);
  const threads = integerFlag(flags, "threads", 1, 64) ?? defaultThreads(input.sizeBytes);
  const inline = inlineProcessor(sanitizer, options);
  const processor: BatchProcessor = threads > 1 ? sharedProcessor(inline, new WorkerPool(threads - 1, { setup, options })) : inline;
  const out = stringFlag(flags, "out") ?? "-";
  const startedMs = io.now();
  try {
    const output = await openLineOutput(out, io.stdout);
    try {
      const result = await sanitizeLines(input.chunks, output, processor, { batchBytes: BATCH_BYTES, maxInFlight: 2 * threads, signal: io.signal });
      await output.commit();
      io.stderr.write(summary(result.lines, result.bytes, (io.now() - startedMs) / 1000, processor, sanitizer.name));
    } catch (error) {
      await output.abort();
      if (io.signal?.aborted === true) throw new CliError(out === "-" ? "interrupted" : `interrupted; ${out} was not written`, 130);
      throw error;
    }
  } finally {
    input.close();
    await processor.close();
  }
  return 0;
}

async function verifyFile(file: string, sample: number | undefined, options: LineOptions, setup: SanitizerSetup, io: CommandIO): Promise<number> {
  // Without LOGEXPORT_HMAC_KEY a throwaway key lets pseudonymizing rules fire: the check prints no values.
  const sanitizer = createSanitizer({ config: setup.config, hmacKey: setup.hmacKey ?? randomBytes(32) });
  const input = await openLineInput(file, io.stdin);
  try {
    const report = await verifySanitized(
      sanitizer,
      numberedLines(createInterface({ input: Readable.from(input.chunks), crlfDelay: Infinity }), sample),
      options.mode,
    );
    const checked = `${report.linesChecked} ${sample === undefined ? "" : "sampled "}lines of ${file}`;
    if (report.leftovers.length === 0) {
      io.stdout.write(`verified ${checked}: no rule fires\n`);
      return 0;
    }
    const rows = report.leftovers.map((l) => [l.rule, l.lines, `${l.firstLines.join(", ")}${l.lines > l.firstLines.length ? ", …" : ""}`]);
    io.stdout.write(
      `NOT CLEAN: ${report.leftovers.map((l) => l.rule).join(", ")} still fire${report.leftovers.length === 1 ? "s" : ""} in ${checked}\n${renderTable([["rule", "lines", "first lines"], ...rows])}\n`,
    );
    return 1;
  } finally {
    input.close();
  }
}

function defaultThreads(sizeBytes: number | undefined): number {
  return sizeBytes !== undefined && sizeBytes > THREADED_MIN_BYTES ? Math.min(2, availableParallelism()) : 1;
}

function summary(lines: number, bytes: number, seconds: number, processor: BatchProcessor, name: string): string {
  const rate = seconds > 0 ? (bytes / 1e6 / seconds).toFixed(1) : "∞";
  const head = `sanitized ${lines} lines (${formatBytes(bytes)}) in ${seconds.toFixed(2)} s: ${rate} MB/s, ${processor.threads} thread${processor.threads === 1 ? "" : "s"}\n${name}\n`;
  const counts = Object.entries(processor.counts())
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  if (counts.length === 0) return `${head}no rule matched\n`;
  return `${head}${renderTable([["rule", "matches"], ...counts])}\n`;
}
