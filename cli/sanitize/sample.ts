import { randomInt } from "node:crypto";

export interface NumberedLine {
  /** 1-based position in the input. */
  readonly number: number;
  readonly text: string;
}

/** Every line, numbered, or a uniform random sample of `size` of them (reservoir sampling: one pass, `size` lines held), in input order. */
export async function* numberedLines(lines: AsyncIterable<string>, size?: number): AsyncGenerator<NumberedLine> {
  let number = 0;
  if (size === undefined) {
    for await (const text of lines) {
      number += 1;
      yield { number, text };
    }
    return;
  }
  const reservoir: NumberedLine[] = [];
  for await (const text of lines) {
    number += 1;
    if (reservoir.length < size) reservoir.push({ number, text });
    else {
      const slot = randomInt(number);
      if (slot < size) reservoir[slot] = { number, text };
    }
  }
  yield* reservoir.sort((a, b) => a.number - b.number);
}
