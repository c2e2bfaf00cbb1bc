import { InvalidJsonLineError } from "../../shared/sanitize/errors.js";
import type { Sanitizer } from "../../shared/sanitize/sanitizer.js";

export type LineMode = "json" | "text";

const CARRIAGE_RETURN = 13;

export interface LineOptions {
  readonly mode: LineMode;
  /** A line that is not JSON fails the run instead of being sanitized as text. */
  readonly strict: boolean;
}

export interface SanitizedBatch {
  readonly text: string;
  readonly lines: number;
}

/** A line --strict refuses; it carries the line's position only, never its content. */
export class StrictLineError extends Error {
  override readonly name = "StrictLineError";

  constructor(readonly lineInBatch: number) {
    super(`line ${lineInBatch} of its batch is not valid JSON`);
  }
}

/** Sanitizes a batch of whole lines; every output line ends with "\n" (JSON Lines also lose a "\r"), even when the input's last line had none. */
export function sanitizeBatch(sanitizer: Sanitizer, text: string, options: LineOptions): SanitizedBatch {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    // An empty line holds nothing to sanitize, and JSON Lines readers skip it, so --strict lets it through.
    if (line === "") continue;
    lines[i] = options.mode === "text" ? sanitizer.sanitizeText(line) : sanitizeJsonLine(sanitizer, line, options.strict, i + 1);
  }
  return { text: lines.length === 0 ? "" : `${lines.join("\n")}\n`, lines: lines.length };
}

function sanitizeJsonLine(sanitizer: Sanitizer, line: string, strict: boolean, lineInBatch: number): string {
  // A CRLF file would otherwise come out mixed: rewritten lines lose the \r, untouched ones keep it.
  const text = line.charCodeAt(line.length - 1) === CARRIAGE_RETURN ? line.slice(0, -1) : line;
  try {
    return sanitizer.sanitizeLine(text, strict);
  } catch (error) {
    if (error instanceof InvalidJsonLineError) throw new StrictLineError(lineInBatch);
    throw error;
  }
}
