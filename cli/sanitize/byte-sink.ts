/** Output bytes of one batch, grown as needed, in an ArrayBuffer of its own so it can be transferred to another thread. */
export class ByteSink {
  private memory: ArrayBuffer;
  private view: Buffer;
  private length = 0;

  constructor(expectedBytes: number) {
    // Replacements are mostly longer than what they replace (pseudonyms, markers): a quarter more saves most regrowth.
    this.memory = new ArrayBuffer(expectedBytes + (expectedBytes >> 2) + 64);
    this.view = Buffer.from(this.memory);
  }

  /** Appends source[start, end). */
  copy(source: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.reserve(end - start);
    this.view.set(source.subarray(start, end), this.length);
    this.length += end - start;
  }

  /** Appends the text as UTF-8. */
  write(text: string): void {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    this.reserve(text.length * 3);
    this.length += this.view.write(text, this.length, "utf8");
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.memory, 0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.memory.byteLength) return;
    const grown = new ArrayBuffer(Math.max(2 * this.memory.byteLength, this.length + bytes));
    const view = Buffer.from(grown);
    view.set(this.view.subarray(0, this.length));
    this.memory = grown;
    this.view = view;
  }
}
