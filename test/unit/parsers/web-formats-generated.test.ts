import { describe, expect, it } from "vitest";
import { parseCombinedLine } from "../../../shared/parsers/combined-log.js";
import { parseNginxJsonLine } from "../../../shared/parsers/nginx-json-log.js";
import { pulpHourStream } from "../../helpers/pulp-log-stream.js";
import { combinedLine, nginxJsonLine } from "../../helpers/web-log-lines.js";

const HOUR = Date.UTC(2026, 1, 4, 14);

describe("combined and nginx JSON lines of a generated hour (the bench's input)", () => {
  it.each([
    ["combined", combinedLine, parseCombinedLine],
    ["nginx-json", nginxJsonLine, parseNginxJsonLine],
  ] as const)("%s: every access line parses back to the truth it was written from", (_format, write, parse) => {
    let checked = 0;
    for (const event of pulpHourStream({ hourStartMs: HOUR, eventsInHour: 6_000, marginSeconds: 0 }).events(HOUR, HOUR + 3_600_000)) {
      const a = event.access;
      if (a === undefined) continue;
      const line = write(a, event.timestamp);
      expect(parse(line), line).toMatchObject({
        remoteAddr: a.remoteAddr,
        method: a.method,
        path: a.target,
        statusCode: a.statusCode,
        userAgent: a.userAgent,
        durationMs: a.durationMs,
        xForwardedFor: a.xForwardedFor?.split(",")[0]?.trim() ?? null,
        referer: a.referer,
      });
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5_000);
  });
});
