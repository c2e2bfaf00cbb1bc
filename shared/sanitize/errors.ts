import { ConfigurationError } from "../core/errors.js";

const POSITION = /position (\d+)/;

/** A line that is not JSON under `--strict`. The message never quotes the line: it may hold the very secrets being scrubbed. */
export class InvalidJsonLineError extends ConfigurationError {
  constructor(cause: unknown) {
    const position = cause instanceof Error ? POSITION.exec(cause.message)?.[1] : undefined;
    super(`line is not valid JSON${position === undefined ? "" : ` (at character ${position})`}`);
  }
}
