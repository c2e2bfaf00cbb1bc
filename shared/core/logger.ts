import type { Logger } from "./ports.js";

export type LogLevel = "info" | "warn" | "error";

/** Structured logs: one JSON object per line with the message and its fields (ids, counts; never row content). */
export function jsonLogger(write: (level: LogLevel, line: string) => void, base: Readonly<Record<string, unknown>> = {}): Logger {
  const emit =
    (level: LogLevel) =>
    (message: string, fields: Readonly<Record<string, unknown>> = {}) =>
      write(level, JSON.stringify({ level, message, ...base, ...fields }));
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
