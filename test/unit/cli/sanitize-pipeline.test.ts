import { afterEach, describe, expect, it } from "vitest";
import { corpusLines } from "../../../bench/sanitize-corpus.js";
import type { LineOutput } from "../../../cli/sanitize/output.js";
import { sanitizeLines } from "../../../cli/sanitize/pipeline.js";
import { WorkerPool } from "../../../cli/sanitize/pool.js";
import { inlineProcessor, sharedProcessor, type BatchProcessor } from "../../../cli/sanitize/processor.js";
import { createSanitizer } from "../../../cli/sanitize/setup.js";
import { defaultSanitizerConfig } from "../../../shared/sanitize/index.js";

const OPTIONS = { mode: "json", strict: false } as const;
const processors: BatchProcessor[] = [];

afterEach(async () => {
  await Promise.all(processors.splice(0).map((p) => p.close()));
});

function track<T extends BatchProcessor>(processor: T): T {
  processors.push(processor);
  return processor;
}

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function memoryOutput(): LineOutput & { text: () => string } {
  const parts: Buffer[] = [];
  return {
    write: async (chunk) => {
      parts.push(Buffer.from(chunk));
    },
    commit: async () => undefined,
    abort: async () => undefined,
    text: () => Buffer.concat(parts).toString(),
  };
}

async function run(processor: BatchProcessor, input: string, batchBytes: number): Promise<string> {
  const output = memoryOutput();
  const result = await sanitizeLines(chunks(input, 1000), output, processor, { batchBytes, maxInFlight: 2 * processor.threads });
  expect(result.bytes).toBe(Buffer.byteLength(input));
  return output.text();
}

describe("sanitizeLines", () => {
  const input = `${[...corpusLines(2500)].join("\n")}\n`;

  it("writes worker-thread results in input order over many small batches, identical to one thread, with the same counts", async () => {
    const inline = track(inlineProcessor(createSanitizer({ config: defaultSanitizerConfig() }), OPTIONS));
    const pool = track(new WorkerPool(3, { setup: { config: defaultSanitizerConfig() }, options: OPTIONS }));
    const expected = await run(inline, input, 4096);
    expect(await run(pool, input, 4096)).toBe(expected);
    expect(pool.counts()).toEqual(inline.counts());
    expect(expected.split("\n")).toHaveLength(2501);
    const shared = track(
      sharedProcessor(
        inlineProcessor(createSanitizer({ config: defaultSanitizerConfig() }), OPTIONS),
        new WorkerPool(1, { setup: { config: defaultSanitizerConfig() }, options: OPTIONS }),
      ),
    );
    expect(await run(shared, input, 4096)).toBe(expected);
    expect(shared.counts()).toEqual(inline.counts());
  });

  it("reports the first line --strict refuses by its number in the whole input, whichever batch fails first", async () => {
    const lines = input.split("\n");
    lines[1733] = "not json";
    lines[2400] = "{";
    const strict = { mode: "json", strict: true } as const;
    const shared = sharedProcessor(
      inlineProcessor(createSanitizer({ config: defaultSanitizerConfig() }), strict),
      new WorkerPool(1, { setup: { config: defaultSanitizerConfig() }, options: strict }),
    );
    for (const processor of [
      track(inlineProcessor(createSanitizer({ config: defaultSanitizerConfig() }), strict)),
      track(new WorkerPool(2, { setup: { config: defaultSanitizerConfig() }, options: strict })),
      track(shared),
    ]) {
      await expect(run(processor, lines.join("\n"), 8192)).rejects.toThrow(/--strict: line 1734 is not valid JSON/);
    }
  });
});
