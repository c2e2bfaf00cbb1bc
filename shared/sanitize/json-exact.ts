/**
 * JSON with exact integers. `JSON.parse` rounds integers beyond 2^53; a line
 * holding one is parsed again here (unsafe integers become bigint) before it
 * is re-serialized, so a long id never changes on the way through.
 */

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** True for a number JSON.parse may have rounded: an integer beyond the safe range. */
export function mayBeRounded(value: number): boolean {
  return value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER;
}

/** The value of a JSON number token as parseJsonExact gives it: a bigint for an integer beyond the safe range. */
export function jsonNumberValue(token: string): number | bigint {
  const value = Number(token);
  return Number.isSafeInteger(value) || !/^-?\d+$/.test(token) ? value : BigInt(token);
}

/** Containers below this depth are parsed by JSON.parse, which needs no stack for them (the walk scans them as text anyway). */
const EXACT_DEPTH = 128;

export function parseJsonExact(text: string): unknown {
  const parser = new ExactParser(text);
  const value = parser.value();
  parser.end();
  return value;
}

/** JSON text of a parsed value; bigints are written as the JSON numbers they are. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof TypeError && containsBigint(value)) return write(value);
    throw error;
  }
}

/** Sets an own property even for `__proto__`, as JSON.parse does. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

function containsBigint(value: unknown): boolean {
  if (typeof value === "bigint") return true;
  if (typeof value !== "object" || value === null) return false;
  for (const nested of Object.values(value)) if (containsBigint(nested)) return true;
  return false;
}

function write(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? "null" : write(item))).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const parts: string[] = [];
    for (const [key, nested] of Object.entries(value)) if (nested !== undefined) parts.push(`${JSON.stringify(key)}:${write(nested)}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

class ExactParser {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.skipSpace();
    const char = this.text[this.at];
    if ((char === "{" || char === "[") && this.depth >= EXACT_DEPTH) return this.deepContainer();
    if (char === "{") return this.nested(() => this.object());
    if (char === "[") return this.nested(() => this.array());
    if (char === '"') return this.string();
    if (this.text.startsWith("true", this.at)) return this.literal(4, true);
    if (this.text.startsWith("false", this.at)) return this.literal(5, false);
    if (this.text.startsWith("null", this.at)) return this.literal(4, null);
    return this.number();
  }

  end(): void {
    this.skipSpace();
    if (this.at !== this.text.length) this.fail();
  }

  private nested<T>(parse: () => T): T {
    this.depth += 1;
    const result = parse();
    this.depth -= 1;
    return result;
  }

  private deepContainer(): unknown {
    const end = containerEnd(this.text, this.at);
    if (end === -1) this.fail();
    const result: unknown = JSON.parse(this.text.slice(this.at, end));
    this.at = end;
    return result;
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.at += 1;
    this.skipSpace();
    if (this.text[this.at] === "}") {
      this.at += 1;
      return result;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.expect(":");
      setOwn(result, key, this.value());
      this.skipSpace();
      if (this.text[this.at] === "}") {
        this.at += 1;
        return result;
      }
      this.expect(",");
    }
  }

  private array(): unknown[] {
    const result: unknown[] = [];
    this.at += 1;
    this.skipSpace();
    if (this.text[this.at] === "]") {
      this.at += 1;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.skipSpace();
      if (this.text[this.at] === "]") {
        this.at += 1;
        return result;
      }
      this.expect(",");
    }
  }

  private string(): string {
    if (this.text[this.at] !== '"') this.fail();
    let end = this.at + 1;
    let escaped = false;
    for (;;) {
      const char = this.text[end];
      if (char === undefined) this.fail();
      if (char === '"') break;
      if (char === "\\") {
        escaped = true;
        end += 1;
      }
      end += 1;
    }
    const result = escaped ? (JSON.parse(this.text.slice(this.at, end + 1)) as string) : this.text.slice(this.at + 1, end);
    this.at = end + 1;
    return result;
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail();
    this.at = NUMBER.lastIndex;
    return jsonNumberValue(match[0]);
  }

  private literal(length: number, value: boolean | null): boolean | null {
    this.at += length;
    return value;
  }

  private expect(char: string): void {
    if (this.text[this.at] !== char) this.fail();
    this.at += 1;
  }

  private skipSpace(): void {
    for (;;) {
      const char = this.text[this.at];
      if (char !== " " && char !== "\t" && char !== "\n" && char !== "\r") return;
      this.at += 1;
    }
  }

  private fail(): never {
    throw new SyntaxError(`not valid JSON at position ${this.at}`);
  }
}

const BACKSLASH = 92;
const QUOTE = 34;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/** How deeply brackets and braces nest in JSON text, outside strings: cheap, and before any parser runs. */
export function nestingDepth(text: string): number {
  return scanBrackets(text, 0, false).deepest;
}

/** The index just after the container that opens at `start`, or -1 when it does not close. */
function containerEnd(text: string, start: number): number {
  return scanBrackets(text, start, true).end;
}

function scanBrackets(text: string, start: number, stopAtClose: boolean): { deepest: number; end: number } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let at = start; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (inString) {
      if (code === BACKSLASH) at += 1;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth -= 1;
      if (stopAtClose && depth === 0) return { deepest, end: at + 1 };
    }
  }
  return { deepest, end: -1 };
}
