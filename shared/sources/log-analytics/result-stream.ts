import type { Column } from "../../core/records.js";

/** What the incremental reader finds in a query response body, in order. */
export type ResultEvent =
  | { readonly kind: "columns"; readonly columns: readonly Column[] }
  | { readonly kind: "row"; readonly values: readonly unknown[] }
  | { readonly kind: "error"; readonly error: unknown };

export class ResultFormatError extends Error {
  override readonly name = "ResultFormatError";
}

enum Place {
  Root,
  Tables,
  Table,
  Rows,
}

enum Expect {
  Start,
  KeyOrClose,
  Colon,
  Value,
  CommaOrClose,
  Done,
}

interface Frame {
  readonly place: Place;
  /** Key whose value is about to start (objects only). */
  key: string;
  elements: number;
}

type CaptureTarget = "columns" | "row" | "error" | "skip";

interface Capture {
  target: CaptureTarget;
  start: number;
  depth: number;
  inString: boolean;
  escaped: boolean;
  scalar: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isScalarEnd(c: number): boolean {
  return c === 0x2c || c === 0x5d || c === 0x7d || isSpace(c);
}

const BIG_INTEGER = /-?\d{16,}/;

/** JSON.parse, except integers beyond 2^53 become bigint instead of losing digits. */
export function parseRow(text: string): unknown[] {
  const fast: unknown = JSON.parse(text);
  if (!Array.isArray(fast)) throw new ResultFormatError("a row is not a JSON array");
  if (!BIG_INTEGER.test(text)) return fast;
  return fast.map((value, i) => {
    if (typeof value !== "number" || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
    const raw = rawElement(text, i);
    return /^-?\d+$/.test(raw) ? BigInt(raw) : value;
  });
}

/** The text of the i-th top-level element of a row array. */
function rawElement(text: string, index: number): string {
  let depth = 0;
  let element = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth === 1) start = i + 1;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth === 1 && element === index) return text.slice(start, i).trim();
      depth -= 1;
    } else if (c === 0x2c && depth === 1) {
      if (element === index) return text.slice(start, i).trim();
      element += 1;
      start = i + 1;
    }
  }
  throw new ResultFormatError(`row element ${index} not found`);
}

/**
 * Reads `{"tables":[{"name","columns","rows":[[...],...]}], "error"?}` as it
 * arrives, holding only the unread tail of the body and the current row.
 */
export class ResultStreamReader {
  private buffer = "";
  private pos = 0;
  private expect = Expect.Start;
  private readonly stack: Frame[] = [];
  private capture: Capture | undefined;
  private tables = 0;
  private columnsSeen = false;

  push(chunk: string): ResultEvent[] {
    const keepFrom = this.capture ? this.capture.start : this.pos;
    this.buffer = this.buffer.slice(keepFrom) + chunk;
    this.pos -= keepFrom;
    if (this.capture) this.capture.start = 0;
    return this.scan();
  }

  end(): void {
    if (this.capture) throw new ResultFormatError("response ended inside a value (truncated body?)");
    for (let i = this.pos; i < this.buffer.length; i += 1) {
      if (!isSpace(this.buffer.charCodeAt(i))) throw new ResultFormatError("unexpected data after the response");
    }
    if (this.expect !== Expect.Done) throw new ResultFormatError("response ended before it was complete (truncated body?)");
  }

  private scan(): ResultEvent[] {
    const events: ResultEvent[] = [];
    const text = this.buffer;
    while (this.pos < text.length) {
      if (this.capture) {
        if (!this.advanceCapture(text)) break;
        const cap = this.capture;
        this.capture = undefined;
        const event = this.finishCapture(cap, text.slice(cap.start, this.pos));
        if (event) events.push(event);
        this.afterValue();
        continue;
      }
      const c = text.charCodeAt(this.pos);
      if (isSpace(c)) {
        this.pos += 1;
        continue;
      }
      if (!this.structural(c, text)) break;
    }
    return events;
  }

  /** Handles one structural character; false when more input is needed. */
  private structural(c: number, text: string): boolean {
    const frame = this.stack.at(-1);
    switch (this.expect) {
      case Expect.Start:
        if (c !== 0x7b) throw new ResultFormatError("response is not a JSON object");
        this.stack.push({ place: Place.Root, key: "", elements: 0 });
        this.expect = Expect.KeyOrClose;
        this.pos += 1;
        return true;
      case Expect.KeyOrClose: {
        if (c === 0x7d && frame && frame.elements === 0) {
          this.pos += 1;
          this.close();
          return true;
        }
        if (c !== QUOTE) throw new ResultFormatError("expected an object key");
        const end = this.stringEnd(text, this.pos + 1);
        if (end < 0) return false;
        if (frame) frame.key = JSON.parse(text.slice(this.pos, end + 1)) as string;
        this.pos = end + 1;
        this.expect = Expect.Colon;
        return true;
      }
      case Expect.Colon:
        if (c !== 0x3a) throw new ResultFormatError("expected ':'");
        this.pos += 1;
        this.expect = Expect.Value;
        return true;
      case Expect.Value:
        this.startValue(c);
        return true;
      case Expect.CommaOrClose:
        this.pos += 1;
        if (c === 0x2c) {
          if (frame) frame.elements += 1;
          this.expect = frame && (frame.place === Place.Root || frame.place === Place.Table) ? Expect.KeyOrClose : Expect.Value;
          return true;
        }
        if (c === 0x7d || c === 0x5d) {
          this.close();
          return true;
        }
        throw new ResultFormatError("expected ',' or a closing bracket");
      case Expect.Done:
        throw new ResultFormatError("unexpected data after the response");
    }
  }

  private startValue(c: number): void {
    const frame = this.stack.at(-1);
    if (frame === undefined) throw new ResultFormatError("value outside the response object");
    if (c === 0x5d && (frame.place === Place.Tables || frame.place === Place.Rows) && frame.elements === 0) {
      this.pos += 1;
      this.close();
      return;
    }
    const open = (place: Place, expectNext: Expect): void => {
      this.stack.push({ place, key: "", elements: 0 });
      this.expect = expectNext;
      this.pos += 1;
    };
    if (frame.place === Place.Root && frame.key === "tables" && c === 0x5b) {
      open(Place.Tables, Expect.Value);
      return;
    }
    if (frame.place === Place.Tables && c === 0x7b) {
      this.tables += 1;
      if (this.tables > 1) throw new ResultFormatError("the response holds more than one table");
      open(Place.Table, Expect.KeyOrClose);
      return;
    }
    if (frame.place === Place.Table && frame.key === "rows" && c === 0x5b) {
      if (!this.columnsSeen) throw new ResultFormatError("rows arrived before columns");
      open(Place.Rows, Expect.Value);
      return;
    }
    let target: CaptureTarget = "skip";
    if (frame.place === Place.Rows) target = "row";
    else if (frame.place === Place.Table && frame.key === "columns") target = "columns";
    else if (frame.place === Place.Root && frame.key === "error") target = "error";
    const scalar = c !== 0x7b && c !== 0x5b && c !== QUOTE;
    this.capture = { target, start: this.pos, depth: 0, inString: false, escaped: false, scalar };
  }

  /** Moves through a captured value; true once it is complete (pos just past it). */
  private advanceCapture(text: string): boolean {
    const cap = this.capture;
    if (cap === undefined) return true;
    let i = this.pos;
    if (cap.scalar) {
      while (i < text.length && !isScalarEnd(text.charCodeAt(i))) i += 1;
      this.pos = i;
      return i < text.length;
    }
    for (; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (cap.inString) {
        if (cap.escaped) cap.escaped = false;
        else if (c === BACKSLASH) cap.escaped = true;
        else if (c === QUOTE) {
          cap.inString = false;
          if (cap.depth === 0) {
            this.pos = i + 1;
            return true;
          }
        }
      } else if (c === QUOTE) cap.inString = true;
      else if (c === 0x7b || c === 0x5b) cap.depth += 1;
      else if (c === 0x7d || c === 0x5d) {
        cap.depth -= 1;
        if (cap.depth === 0) {
          this.pos = i + 1;
          return true;
        }
      }
    }
    this.pos = i;
    return false;
  }

  private finishCapture(cap: Capture, text: string): ResultEvent | undefined {
    switch (cap.target) {
      case "row":
        return { kind: "row", values: parseRow(text) };
      case "columns": {
        const parsed: unknown = JSON.parse(text);
        if (
          !Array.isArray(parsed) ||
          !parsed.every((c: unknown) => typeof c === "object" && c !== null && typeof (c as Column).name === "string" && typeof (c as Column).type === "string")
        ) {
          throw new ResultFormatError("columns are not a list of {name, type}");
        }
        this.columnsSeen = true;
        return { kind: "columns", columns: (parsed as Column[]).map((c) => ({ name: c.name, type: c.type })) };
      }
      case "error":
        return { kind: "error", error: JSON.parse(text) };
      case "skip":
        return undefined;
    }
  }

  private afterValue(): void {
    this.expect = Expect.CommaOrClose;
  }

  private close(): void {
    this.stack.pop();
    this.expect = this.stack.length === 0 ? Expect.Done : Expect.CommaOrClose;
  }

  /** Index of the closing quote of a string whose content starts at `from`, or -1 if not yet in the buffer. */
  private stringEnd(text: string, from: number): number {
    for (let i = from; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) return i;
    }
    return -1;
  }
}
