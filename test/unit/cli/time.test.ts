import { describe, expect, it } from "vitest";
import { CliError } from "../../../cli/errors.js";
import { parseEndInstant, parseInstant } from "../../../cli/time.js";

const NOW = Date.UTC(2026, 10, 22, 12, 30);

describe("parseInstant", () => {
  it.each([
    ["now", NOW],
    ["2 hours ago", NOW - 2 * 3_600_000],
    ["90m ago", NOW - 90 * 60_000],
    ["-3d", NOW - 3 * 86_400_000],
    ["now-1h", NOW - 3_600_000],
    ["2026-11-22T10:00:00Z", Date.UTC(2026, 10, 22, 10)],
    ["2026-11-22T10:00:00.123+01:00", Date.UTC(2026, 10, 22, 9, 0, 0, 123)],
    ["2026-11-22", Date.UTC(2026, 10, 22)],
    ["2026-11-22T10:00:00", Date.UTC(2026, 10, 22, 10)],
    ["2026-11-22 10:00:00.5", Date.UTC(2026, 10, 22, 10, 0, 0, 500)],
    ["2026-11-22T10:00+0100", Date.UTC(2026, 10, 22, 9)],
  ])("%s", (text, expected) => {
    expect(parseInstant(text, NOW, "--start")).toBe(expected);
  });

  it.each(["yesterday", "2026-11-22T10", "3 fortnights ago", "2026-13-40T00:00:00Z", ""])("rejects %j naming the flag", (text) => {
    expect(() => parseInstant(text, NOW, "--start")).toThrow(CliError);
    expect(() => parseInstant(text, NOW, "--start")).toThrow(/--start/);
  });
});

describe("parseEndInstant", () => {
  it.each([
    ["2026-02-04T14:59:59Z", Date.UTC(2026, 1, 4, 15)],
    ["2026-02-04T14:59:59", Date.UTC(2026, 1, 4, 15)],
    ["2026-02-04T14:35:59+00:00", Date.UTC(2026, 1, 4, 14, 36)],
    ["2026-02-04T15:00:00Z", Date.UTC(2026, 1, 4, 15)],
    ["2026-02-04T14:59:59.000Z", Date.UTC(2026, 1, 4, 14, 59, 59)],
    ["2026-02-04T14:59:58Z", Date.UTC(2026, 1, 4, 14, 59, 58)],
    ["15 minutes ago", NOW - 15 * 60_000],
  ])("%s ends the range at the right millisecond", (text, expected) => {
    expect(parseEndInstant(text, NOW, "--end-time")).toBe(expected);
  });
});
