/**
 * Regroups a byte stream into parts of exactly `size` bytes; only the last
 * part may be shorter, and an empty stream yields nothing. Each byte is
 * copied once, when its part is assembled.
 */
export async function* fixedSizeParts(body: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer, void, undefined> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  for await (const chunk of body) {
    let rest = chunk;
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      pending.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      const part = Buffer.concat(pending, size);
      pending = [];
      pendingBytes = 0;
      yield part;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
