/**
 * A small reader for the HCL this repository writes (terraform fmt style): enough to find blocks,
 * top-level attributes and object keys, aware of strings (with ${…} templates that may hold strings
 * themselves), heredocs and comments. Not a general HCL parser: the tests that use it fail loudly
 * when it cannot find what it looks for.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Index just past the string literal that starts at `start` (a `"`), templates included. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") {
      i += 2;
    } else if (c === '"') {
      return i + 1;
    } else if ((c === "$" || c === "%") && text[i + 1] === "{") {
      if (text[i - 1] === c) {
        i += 2; // $${ and %%{ are literal
      } else {
        i = skipBalanced(text, i + 1, "{", "}");
      }
    } else {
      i += 1;
    }
  }
  throw new Error(`unterminated string at offset ${start}`);
}

/** Index just past the heredoc whose `<<` is at `start`. */
function skipHeredoc(text: string, start: number): number {
  const header = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(text.slice(start));
  if (header === null) throw new Error(`malformed heredoc at offset ${start}`);
  const marker = header[1];
  let i = start + header[0].length;
  while (i < text.length) {
    const end = text.indexOf("\n", i);
    const line = text.slice(i, end === -1 ? text.length : end);
    if (line.trim() === marker) return end === -1 ? text.length : end + 1;
    i = end === -1 ? text.length : end + 1;
  }
  throw new Error(`unterminated heredoc ${marker}`);
}

/** Index just past the bracket that closes the one at `start`, skipping strings, heredocs and comments. */
export function skipBalanced(text: string, start: number, open: string, close: string): number {
  if (text[start] !== open) throw new Error(`expected ${open} at offset ${start}`);
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i);
      continue;
    }
    if (c === "<" && text[i + 1] === "<" && /^<<-?[A-Za-z_]/.test(text.slice(i, i + 4))) {
      i = skipHeredoc(text, i);
      continue;
    }
    if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 2;
      continue;
    }
    if (c === open) depth += 1;
    if (c === close) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  throw new Error(`unbalanced ${open}${close} from offset ${start}`);
}

/** The text with comments blanked out (strings and heredocs kept), so regexes see only code. */
export function stripComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = skipString(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === "<" && text[i + 1] === "<" && /^<<-?[A-Za-z_]/.test(text.slice(i, i + 4))) {
      const end = skipHeredoc(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2) + 2;
      out += text.slice(i, end).replace(/[^\n]/g, " ");
      i = end;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** Every `.tf` file of a directory, comments stripped, joined. */
export function readTerraformDir(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".tf"))
    .sort()
    .map((f) => stripComments(readFileSync(join(dir, f), "utf8")))
    .join("\n");
}

export interface Block {
  readonly labels: readonly string[];
  /** Text between the braces. */
  readonly body: string;
}

/** Top-level (or, given a body, nested) blocks of one type, e.g. blocks(text, "resource"). */
export function blocks(text: string, type: string): Block[] {
  const found: Block[] = [];
  const header = new RegExp(`(^|\\n)[ \\t]*${type}((?:[ \\t]+"[^"]*")*)[ \\t]*\\{`, "g");
  for (let m = header.exec(text); m !== null; m = header.exec(text)) {
    const braceAt = m.index + m[0].length - 1;
    const end = skipBalanced(text, braceAt, "{", "}");
    const labels = [...(m[2] ?? "").matchAll(/"([^"]*)"/g)].map((l) => l[1] ?? "");
    found.push({ labels, body: text.slice(braceAt + 1, end - 1) });
    header.lastIndex = end;
  }
  return found;
}

export function block(text: string, type: string, ...labels: string[]): Block {
  const matches = blocks(text, type).filter((b) => labels.every((l, i) => b.labels[i] === l));
  if (matches.length !== 1) throw new Error(`expected one ${type} ${labels.map((l) => `"${l}"`).join(" ")}, found ${matches.length}`);
  return matches[0] as Block;
}

/** Index past one element at `i` (a string, heredoc or bracketed group), or undefined if none starts there. */
function skipElement(text: string, i: number): number | undefined {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "<" && text[i + 1] === "<" && /^<<-?[A-Za-z_]/.test(text.slice(i, i + 4))) return skipHeredoc(text, i);
  if (c === "{") return skipBalanced(text, i, "{", "}");
  if (c === "[") return skipBalanced(text, i, "[", "]");
  if (c === "(") return skipBalanced(text, i, "(", ")");
  return undefined;
}

/** The expression of a top-level attribute of a block body (nested blocks are not searched), or undefined. */
export function attribute(body: string, name: string): string | undefined {
  const head = new RegExp(`^[ \\t]*${name}[ \\t]*=(?!=)[ \\t]*`);
  let i = 0;
  let lineStart = true;
  while (i < body.length) {
    if (lineStart) {
      const m = head.exec(body.slice(i));
      if (m !== null) {
        const start = i + m[0].length;
        let j = start;
        while (j < body.length && body[j] !== "\n") j = skipElement(body, j) ?? j + 1;
        return body.slice(start, j).trim();
      }
    }
    const next = skipElement(body, i);
    lineStart = next === undefined ? body[i] === "\n" : body[next - 1] === "\n"; // a heredoc ends with its newline
    i = next ?? i + 1;
  }
  return undefined;
}

/** Keys of the object literals in an expression (`"Key" = …` or `Key = …` at the start of a line). */
export function objectKeys(expression: string): string[] {
  return [...expression.matchAll(/(?:^|\n)[ \t]*"?([A-Za-z_][A-Za-z0-9_]*)"?[ \t]*=(?!=)/g)].map((m) => m[1] ?? "");
}

/** Each key of the object literals in an expression with its value expression (one line). */
export function objectEntries(expression: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const m of expression.matchAll(/(?:^|\n)[ \t]*"?([A-Za-z_][A-Za-z0-9_]*)"?[ \t]*=(?!=)[ \t]*([^\n]*)/g)) {
    entries.set(m[1] ?? "", (m[2] ?? "").trim());
  }
  return entries;
}

/** A literal default: string, number, bool or null; undefined when absent or not a simple literal. */
export function literal(expression: string | undefined): string | number | boolean | null | undefined {
  if (expression === undefined) return undefined;
  const e = expression.trim();
  if (e === "null") return null;
  if (e === "true" || e === "false") return e === "true";
  if (/^-?\d+(\.\d+)?$/.test(e)) return Number(e);
  if (/^"([^"\\$%]|\\.)*"$/.test(e)) return JSON.parse(e) as string;
  return undefined;
}
