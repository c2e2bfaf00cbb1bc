import { describe, expect, it } from "vitest";
import { lineBatches } from "../../../cli/sanitize/batches.js";

async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function batches(text: string, chunkSize: number, targetBytes: number): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of lineBatches(chunksOf(text, chunkSize), targetBytes)) out.push(Buffer.from(batch).toString());
  return out;
}

describe("lineBatches", () => {
  it("cuts after the last newline once the target size has arrived, keeps every byte, and bounds each batch", async () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(i % 17)}`).join("\n");
    for (const [chunk, target] of [
      [7, 50],
      [64, 64],
      [1000, 100],
      [3, 1],
    ] as const) {
      const out = await batches(`${text}\n`, chunk, target);
      expect(out.join("")).toBe(`${text}\n`);
      expect(out.length).toBeGreaterThan(1);
      for (const batch of out) expect(batch.endsWith("\n")).toBe(true);
      for (const batch of out) expect(batch.length).toBeLessThanOrEqual(target + chunk + "line 199 ".length + 16);
    }
  });

  it("yields the last line without its newline, and a line longer than the target as one batch", async () => {
    const long = "y".repeat(500);
    expect(await batches(`a\n${long}\nb\nlast`, 16, 32)).toEqual(["a\n", `${long}\nb\n`, "last"]);
    expect(await batches("", 16, 32)).toEqual([]);
  });

  it("never splits a multi-byte character, whatever the chunk boundaries", async () => {
    const text = Array.from({ length: 50 }, (_, i) => `zürich→東京 ${i} 🚀`).join("\n");
    const out = await batches(text, 5, 40);
    expect(out.join("")).toBe(text);
    expect(out.every((b) => !b.includes("\uFFFD"))).toBe(true);
  });

  it("gives each batch its own buffer, so transferring one leaves the rest intact", async () => {
    const out: Uint8Array[] = [];
    for await (const batch of lineBatches(chunksOf("a\nb\nc\nd\n", 3), 2)) out.push(batch);
    expect(out.map((b) => [b.byteOffset, b.byteLength === b.buffer.byteLength])).toEqual(out.map(() => [0, true]));
    expect(new Set(out.map((b) => b.buffer)).size).toBe(out.length);
  });

  it("accepts string chunks", async () => {
    async function* strings(): AsyncGenerator<string> {
      yield "one\ntw";
      yield "o\nthree\n";
    }
    const out: string[] = [];
    for await (const batch of lineBatches(strings(), 4)) out.push(Buffer.from(batch).toString());
    expect(out.join("")).toBe("one\ntwo\nthree\n");
  });
});
