import { describe, expect, it } from "vitest";
import { unwrapEnvelope } from "../../../shared/parsers/log-line.js";
import { parsePulpAccessLine, pypiCoordinates } from "../../../shared/parsers/pulp-access-log.js";
import { isBot, threatOf } from "../../../shared/parsers/request-signals.js";
import { pulpHourStream } from "../../helpers/pulp-log-stream.js";

const REAL = 'pulp [abc-123]: 192.168.1.1 - user:testuser org_id:org123 [04/Feb/2026:14:30:00 +0000] "GET /api/pypi/domain1/dist1/simple/package1/ HTTP/1.1" 200 456 "-" "uv/0.9.26 {}" 550 x_forwarded_for:"23.48.249.160,10.0.0.1"';

describe("the Pulp access-log parser", () => {
  it("parses the real line from the Pulp source", () => {
    expect(parsePulpAccessLine(REAL)).toEqual({
      correlationId: "abc-123", remoteAddr: "192.168.1.1", user: "testuser", orgId: "org123", method: "GET", path: "/api/pypi/domain1/dist1/simple/package1/",
      protocol: "HTTP/1.1", statusCode: 200, responseBytes: 456, referer: null, userAgent: "uv/0.9.26 {}", durationMs: 550, xForwardedFor: "23.48.249.160",
    });
    expect(pypiCoordinates("/api/pypi/domain1/dist1/simple/package1/")).toEqual({ domain: "domain1", distribution: "dist1", package: "package1" });
  });

  it("unwraps container-log envelopes and refuses broken ones", () => {
    expect(unwrapEnvelope(JSON.stringify({ log: `${REAL}\n`, stream: "stdout" }))).toBe(REAL);
    expect(unwrapEnvelope('{"log": "trunc')).toBeUndefined();
    expect(unwrapEnvelope(`${REAL}\n`)).toBe(REAL);
  });

  it("agrees with the generator's truth on every line of a generated hour", () => {
    const stream = pulpHourStream({ hourStartMs: Date.UTC(2026, 1, 4, 14), eventsInHour: 20_000, marginSeconds: 0 });
    let checked = 0;
    for (const event of stream.events(Date.UTC(2026, 1, 4, 14), Date.UTC(2026, 1, 4, 15))) {
      const line = unwrapEnvelope(event.message);
      const parsed = line === undefined ? undefined : parsePulpAccessLine(line);
      if (event.kind === "malformed" || event.kind === "djangoWarning") {
        expect(parsed, event.message).toBeUndefined();
        continue;
      }
      const truth = event.access;
      expect(parsed, event.message).toBeDefined();
      expect(parsed).toMatchObject({ correlationId: truth?.correlationId, user: truth?.user, orgId: truth?.orgId, statusCode: truth?.statusCode, userAgent: truth?.userAgent, responseBytes: truth?.responseBytes, durationMs: truth?.durationMs, method: truth?.method, path: truth?.target });
      expect(parsed?.xForwardedFor).toBe(truth?.xForwardedFor?.split(",")[0]?.trim() ?? null);
      if (event.kind === "access" || event.kind === "anonymous") expect(pypiCoordinates(parsed?.path ?? "")).toEqual({ domain: truth?.domain, distribution: truth?.distribution, package: truth?.package });
      expect(threatOf(parsed?.path ?? "")).toBe(event.threat ?? null);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(15_000);
  });

  it("tells bots from package managers", () => {
    expect(isBot("Googlebot/2.1 (+http://www.google.com/bot.html)")).toBe(true);
    expect(isBot("curl/8.5.0")).toBe(true);
    expect(isBot("pip/25.0.1 {\"ci\":null}")).toBe(false);
    expect(isBot("uv/0.9.26 {}")).toBe(false);
    expect(isBot(null)).toBe(false);
  });
});
