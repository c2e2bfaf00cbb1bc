const NEWLINE = 0x0a;

/**
 * Cuts a byte stream into batches of whole lines: once `targetBytes` have arrived, everything up to the last newline.
 * A line longer than the target makes a longer batch; the last batch may lack its final newline.
 * Each batch owns its ArrayBuffer, so it can be transferred to a worker.
 */
export async function* lineBatches(input: AsyncIterable<Uint8Array | string>, targetBytes: number): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  // Chunks before this index hold no newline: a very long line is scanned once, not once per chunk.
  let scanFrom = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    pending.push(bytes);
    pendingBytes += bytes.length;
    if (pendingBytes < targetBytes) continue;
    const cut = lastLineEnd(pending, pendingBytes, scanFrom);
    if (cut !== undefined) {
      yield concat(pending, cut.offset);
      pending = [pending[cut.chunk]?.subarray(cut.index) ?? new Uint8Array(0), ...pending.slice(cut.chunk + 1)];
      pendingBytes -= cut.offset;
    }
    scanFrom = pending.length;
  }
  if (pendingBytes > 0) yield concat(pending, pendingBytes);
}

/** Where the bytes after the last newline start: in which chunk, at which index, and as an offset from the first chunk. */
function lastLineEnd(chunks: readonly Uint8Array[], totalBytes: number, scanFrom: number): { chunk: number; index: number; offset: number } | undefined {
  let after = totalBytes;
  for (let c = chunks.length - 1; c >= scanFrom; c -= 1) {
    const chunk = chunks[c] ?? new Uint8Array(0);
    after -= chunk.length;
    const at = chunk.lastIndexOf(NEWLINE);
    if (at >= 0) return { chunk: c, index: at + 1, offset: after + at + 1 };
  }
  return undefined;
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= length) break;
    const part = chunk.subarray(0, length - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
