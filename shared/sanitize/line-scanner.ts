import type { KeyNode } from "./key-nodes.js";

/**
 * The fast path of sanitizeLine: one pass over a JSON line that validates
 * it, skips string contents with indexOf (decoding only strings that hold
 * escapes), and patches only the string values that change. It avoids JSON.parse and JSON.stringify, which
 * are most of the cost otherwise, and keeps the line's own formatting and
 * long integers byte for byte. Anything it does not handle exactly as the
 * structured walk would (a non-string value under a field rule or a
 * credential key, a number the structured walk would replace) makes it give
 * up, and the caller takes the structured path.
 * Unlike JSON.parse it keeps every value of a duplicated key, each sanitized,
 * and it does not look inside strings for raw control characters (callers that
 * must reject such invalid lines check for them first).
 */

/** What the scanner asks of the sanitizer; `undefined` or `false` means "take the structured path". */
export interface LineValueRules {
  child(parent: KeyNode, key: string): KeyNode;
  /**
   * The new string for a value, the same string when unchanged. `keyed`: the value sits directly under its key
   * (not in an array); `depth`: the containers around it.
   */
  string(value: string, node: KeyNode, allowed: boolean, keyed: boolean, depth: number): string | undefined;
  /** Whether a literal or container at this node passes through as the structured walk would pass it. */
  passes(kind: "literal" | "container", node: KeyNode, allowed: boolean, keyed: boolean): boolean;
  /** The same for the number token line[start, end). */
  number(line: string, start: number, end: number, node: KeyNode, allowed: boolean, keyed: boolean): boolean;
}

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const LETTER_T = 116;
const LETTER_F = 102;
const LETTER_N = 110;
const BACKSLASH = 92;
const DOT = 46;
const PLUS = 43;
const LETTER_E = 101;

const EXPECT_VALUE = 0;
const EXPECT_VALUE_OR_CLOSE = 1;
const EXPECT_KEY = 2;
const EXPECT_KEY_OR_CLOSE = 3;
const EXPECT_COLON = 4;
const EXPECT_COMMA_OR_CLOSE = 5;

interface Frame {
  readonly node: KeyNode;
  readonly allowed: boolean;
  readonly object: boolean;
  /** Keys met so far in this object. */
  keys: number;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** The index of the quote that closes the string opened at `open`, or -1, in a line that holds backslashes. */
function stringEnd(line: string, open: number): number {
  let end = line.indexOf('"', open + 1);
  for (;;) {
    if (end === -1) return end;
    let backslashes = 0;
    while (line.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    end = line.indexOf('"', end + 1);
  }
}

/** The value of the string token line[open, end] in a line that holds backslashes; undefined for an invalid escape. */
function stringValue(line: string, open: number, end: number): string | undefined {
  const text = line.slice(open, end + 1);
  if (!text.includes("\\")) return text.slice(1, -1);
  try {
    return JSON.parse(text) as string;
  } catch {
    return undefined;
  }
}

function digitsEnd(line: string, at: number): number {
  while (at < line.length) {
    const code = line.charCodeAt(at);
    if (code < ZERO || code > NINE) break;
    at += 1;
  }
  return at;
}

/** The end of the JSON number token at `start`, or -1 when there is none. */
function numberEnd(line: string, start: number): number {
  let at = line.charCodeAt(start) === MINUS ? start + 1 : start;
  const first = line.charCodeAt(at);
  if (first === ZERO) at += 1;
  else if (first > ZERO && first <= NINE) at = digitsEnd(line, at + 1);
  else return -1;
  if (line.charCodeAt(at) === DOT) {
    const end = digitsEnd(line, at + 1);
    if (end === at + 1) return -1;
    at = end;
  }
  if ((line.charCodeAt(at) | 32) === LETTER_E) {
    let sign = at + 1;
    const code = line.charCodeAt(sign);
    if (code === PLUS || code === MINUS) sign += 1;
    const end = digitsEnd(line, sign);
    if (end === sign) return -1;
    at = end;
  }
  return at;
}

/** The length of the literal `true`, `false` or `null` at `at` (whose first code is `code`), 0 for none. */
function literalLength(line: string, at: number, code: number): number {
  const word = code === LETTER_T ? "true" : code === LETTER_F ? "false" : "null";
  return line.startsWith(word, at) ? word.length : 0;
}

/**
 * The sanitized line, or undefined when the structured path must decide (including for anything that is not
 * valid JSON, or nested deeper than `maxDepth`, where the structured walk scans the rest as text).
 */
export function scanJsonLine(line: string, root: KeyNode, rules: LineValueRules, maxDepth: number): string | undefined {
  const frames: Frame[] = [];
  let frame: Frame = { node: root, allowed: false, object: false, keys: 0 };
  let state = EXPECT_VALUE;
  let keyNode = root;
  let out = "";
  let copied = 0;
  let finished = false;
  const escapes = line.includes("\\");
  let at = 0;
  while (at < line.length) {
    const code = line.charCodeAt(at);
    if (isSpace(code)) {
      at += 1;
      continue;
    }
    if (finished) return undefined;
    if (state === EXPECT_VALUE || state === EXPECT_VALUE_OR_CLOSE) {
      if (code === CLOSE_ARRAY && state === EXPECT_VALUE_OR_CLOSE) {
        frame = frames.pop() as Frame;
        state = EXPECT_COMMA_OR_CLOSE;
        finished = frames.length === 0;
        at += 1;
        continue;
      }
      const keyed = frame.object;
      const node = keyed ? keyNode : frame.node;
      const allowed = frame.allowed || (keyed && node.allowed);
      if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
        if (frames.length > maxDepth || (frames.length > 0 && !rules.passes("container", node, allowed, keyed))) return undefined;
        frames.push(frame);
        frame = { node, allowed, object: code === OPEN_OBJECT, keys: 0 };
        state = code === OPEN_OBJECT ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
        at += 1;
        continue;
      }
      if (frames.length === 0) return undefined;
      if (code === QUOTE) {
        const end = escapes ? stringEnd(line, at) : line.indexOf('"', at + 1);
        const value = end === -1 ? undefined : escapes ? stringValue(line, at, end) : line.slice(at + 1, end);
        if (value === undefined) return undefined;
        const result = rules.string(value, node, allowed, keyed, frames.length - 1);
        if (result === undefined) return undefined;
        if (result !== value) {
          out += line.slice(copied, at) + JSON.stringify(result);
          copied = end + 1;
        }
        at = end + 1;
      } else if (code === MINUS || (code >= ZERO && code <= NINE)) {
        const end = numberEnd(line, at);
        if (end === -1 || !rules.number(line, at, end, node, allowed, keyed)) return undefined;
        at = end;
      } else if (code === LETTER_T || code === LETTER_F || code === LETTER_N) {
        const length = literalLength(line, at, code);
        if (length === 0 || !rules.passes("literal", node, allowed, keyed)) return undefined;
        at += length;
      } else {
        return undefined;
      }
      // The usual next token, a comma, is taken here rather than on another turn of the loop.
      if (line.charCodeAt(at) === COMMA) {
        state = frame.object ? EXPECT_KEY : EXPECT_VALUE;
        at += 1;
      } else state = EXPECT_COMMA_OR_CLOSE;
      continue;
    }
    if (state === EXPECT_KEY || state === EXPECT_KEY_OR_CLOSE) {
      if (code === CLOSE_OBJECT && state === EXPECT_KEY_OR_CLOSE) {
        frame = frames.pop() as Frame;
        state = EXPECT_COMMA_OR_CLOSE;
        finished = frames.length === 0;
        at += 1;
        continue;
      }
      if (code !== QUOTE) return undefined;
      state = EXPECT_COLON;
      const order = frame.node.keyOrder;
      const position = frame.keys++;
      const expected = order.expected(position);
      if (expected !== undefined && line.charCodeAt(at + 1 + expected.length) === QUOTE && line.startsWith(expected, at + 1)) {
        keyNode = order.node(position);
        at += expected.length + 2;
      } else {
        const end = escapes ? stringEnd(line, at) : line.indexOf('"', at + 1);
        const key = end === -1 ? undefined : escapes ? stringValue(line, at, end) : line.slice(at + 1, end);
        if (key === undefined) return undefined;
        keyNode = rules.child(frame.node, key);
        order.remember(position, key, keyNode);
        at = end + 1;
      }
      // The usual next token, the colon, is taken here rather than on another turn of the loop.
      if (line.charCodeAt(at) === COLON) {
        state = EXPECT_VALUE;
        at += 1;
      }
      continue;
    }
    if (state === EXPECT_COLON) {
      if (code !== COLON) return undefined;
      state = EXPECT_VALUE;
      at += 1;
      continue;
    }
    if (code === COMMA) state = frame.object ? EXPECT_KEY : EXPECT_VALUE;
    else if (code === (frame.object ? CLOSE_OBJECT : CLOSE_ARRAY)) {
      frame = frames.pop() as Frame;
      finished = frames.length === 0;
    } else return undefined;
    at += 1;
  }
  if (!finished) return undefined;
  return copied === 0 ? line : out + line.slice(copied);
}
