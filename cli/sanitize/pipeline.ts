import { CliError } from "../errors.js";
import { lineBatches } from "./batches.js";
import { StrictLineError } from "./lines.js";
import type { LineOutput } from "./output.js";
import type { BatchProcessor, ProcessedBatch } from "./processor.js";

export interface PipelineOptions {
  /** Lines are cut into batches of about this many bytes. */
  readonly batchBytes: number;
  /** Batches read but not yet written; bounds memory whatever the input size. */
  readonly maxInFlight: number;
  readonly signal?: AbortSignal;
}

export interface PipelineResult {
  readonly lines: number;
  readonly bytes: number;
}

/** Reads batches of lines, sanitizes up to `maxInFlight` at once, writes the results in input order. */
export async function sanitizeLines(
  input: AsyncIterable<Uint8Array | string>,
  output: LineOutput,
  processor: BatchProcessor,
  options: PipelineOptions,
): Promise<PipelineResult> {
  const inFlight: Promise<ProcessedBatch>[] = [];
  let lines = 0;
  let bytes = 0;
  const writeOldest = async () => {
    const oldest = inFlight.shift();
    if (oldest === undefined) return;
    const batch = await oldest.catch((error: unknown) => {
      if (error instanceof StrictLineError) throw new CliError(`--strict: line ${lines + error.lineInBatch} is not valid JSON`, 1);
      throw error;
    });
    await output.write(batch.output);
    lines += batch.lines;
  };
  for await (const batch of lineBatches(input, options.batchBytes)) {
    options.signal?.throwIfAborted();
    bytes += batch.length;
    const result = processor.process(batch);
    // Results are awaited in input order; a later batch failing first must not count as an unhandled rejection meanwhile.
    result.catch(() => undefined);
    inFlight.push(result);
    while (inFlight.length >= options.maxInFlight) await writeOldest();
  }
  while (inFlight.length > 0) await writeOldest();
  return { lines, bytes };
}
