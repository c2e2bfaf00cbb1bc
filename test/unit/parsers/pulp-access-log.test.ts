import { describe, expect, it } from "vitest";
import { envelopedLines } from "../../../shared/parsers/envelope.js";
import { parsePulpAccessLine } from "../../../shared/parsers/pulp-access-log.js";
import { pypiCoordinates } from "../../../shared/parsers/pypi-path.js";
import { isBot, threatOf } from "../../../shared/parsers/request-signals.js";
import { pulpHourStream } from "../../helpers/pulp-log-stream.js";

const REAL =
  'pulp [abc-123]: 192.168.1.1 - user:testuser org_id:org123 [04/Feb/2026:14:30:00 +0000] "GET /api/pypi/domain1/dist1/simple/package1/ HTTP/1.1" 200 456 "-" "uv/0.9.26 {}" 550 x_forwarded_for:"23.48.249.160,10.0.0.1"';
const PARSED = {
  correlationId: "abc-123",
  remoteAddr: "192.168.1.1",
  user: "testuser",
  orgId: "org123",
  method: "GET",
  path: "/api/pypi/domain1/dist1/simple/package1/",
  protocol: "HTTP/1.1",
  statusCode: 200,
  responseBytes: 456,
  referer: null,
  userAgent: "uv/0.9.26 {}",
  durationMs: 550,
  xForwardedFor: "23.48.249.160",
};
const TIME = "[04/Feb/2026:14:30:00 +0000]";
const REQUEST = '"GET /api/pypi/domain1/dist1/simple/package1/ HTTP/1.1" 200 456 "-" "uv/0.9.26 {}"';

describe("the Pulp access-log parser", () => {
  it("parses the real line from the Pulp source", () => {
    expect(parsePulpAccessLine(REAL)).toEqual(PARSED);
    expect(pypiCoordinates("/api/pypi/domain1/dist1/simple/package1/")).toEqual({ domain: "domain1", distribution: "dist1", package: "package1" });
  });

  // Each format pulp/pulp-service deployed for its API (deploy/clowdapp.yaml, images/assets/pulp-api), as gunicorn renders it.
  it.each([
    ["deployed now: wrapped in ( … )", `(${REAL})`, {}],
    [
      "the image's own: %(u)s and no %(M)s",
      `pulp [abc-123]: 192.168.1.1 - - ${TIME} ${REQUEST} x_forwarded_for:"23.48.249.160,10.0.0.1"`,
      { user: null, orgId: null, durationMs: null },
    ],
    [
      "Jan 2026: the forwarded chain quoted without a key",
      `(pulp [abc-123]: 192.168.1.1 - user:testuser org_id:org123 ${TIME} ${REQUEST} 550 "23.48.249.160, 10.0.0.1")`,
      {},
    ],
    ["Jan 2026: REMOTE_USER alone", `(pulp [abc-123]: 192.168.1.1 - testuser ${TIME} ${REQUEST} 550)`, { orgId: null, xForwardedFor: null }],
    ["2024–2025: %(u)s with %(M)s", `(pulp [abc-123]: 192.168.1.1 - - ${TIME} ${REQUEST} 550)`, { user: null, orgId: null, xForwardedFor: null }],
    ["2023: the first image format", `pulp [abc-123]: 192.168.1.1 - - ${TIME} ${REQUEST}`, { user: null, orgId: null, durationMs: null, xForwardedFor: null }],
  ])("parses %s", (_name, line, differences) => {
    expect(parsePulpAccessLine(line)).toEqual({ ...PARSED, ...differences });
  });

  it("reads an x509 DN with spaces as the user, in every envelope", () => {
    const dn = "/O=Red Hat/OU=Pulp/CN=svc-build";
    const line = `(${REAL.replace("user:testuser", `user:${dn}`)})`;
    for (const message of [
      line,
      JSON.stringify({ message: line, kubernetes: { namespace_name: "pulp-prod" } }),
      JSON.stringify({ log: `${line}\n`, stream: "stdout" }),
    ]) {
      const [candidate] = envelopedLines(message);
      expect(parsePulpAccessLine(candidate?.line ?? "")).toMatchObject({ user: dn, orgId: "org123" });
    }
    expect(parsePulpAccessLine(`(pulp [x]: 10.0.0.1 - ${dn} ${TIME} ${REQUEST} 5)`)?.user).toBe(dn);
  });

  it('tolerates key:"value" fields after x_forwarded_for, in any number, and keeps the user agent whole', () => {
    const pip = 'pip/25.0.1 {"ci":null,"distro":{"name":"Fedora Linux","version":"41"}}';
    const line = `(${REAL.replace("uv/0.9.26 {}", pip)} request_id:"r-1" tls:"TLSv1.3")`;
    expect(parsePulpAccessLine(line)).toEqual({ ...PARSED, userAgent: pip });
  });

  it.each([
    ["a cut line", REAL.slice(0, REAL.indexOf(" 200 "))],
    ["a bad status", REAL.replace(" 200 ", " 2x0 ")],
    ["a duration beyond int32", REAL.replace(" 550 ", " 99999999999 ")],
    ["half a wrapper", `(${REAL}`],
    ["a Django warning", "pulp [x]: django.request:WARNING: Not Found: /api/pypi/a/b/simple/c/"],
  ])("refuses %s", (_name, line) => {
    expect(parsePulpAccessLine(line)).toBeUndefined();
  });

  it("splits a distribution with slashes from its domain and package", () => {
    expect(pypiCoordinates("/api/pypi/public-rhai/rhoai/3.4/cuda12.4-ubi9/simple/typing-extensions/")).toEqual({
      domain: "public-rhai",
      distribution: "rhoai/3.4/cuda12.4-ubi9",
      package: "typing-extensions",
    });
    expect(pypiCoordinates("/api/pypi/public-rhai/rhoai/3.4/legacy/")).toEqual({ domain: "public-rhai", distribution: "rhoai/3.4", package: null });
    expect(pypiCoordinates("/api/pypi/d/dist/simple/?page=2")).toEqual({ domain: "d", distribution: "dist", package: null });
    expect(pypiCoordinates("/api/pypi/d/dist/simple/status/")).toEqual({ domain: "d", distribution: "dist", package: "status" });
    expect(pypiCoordinates("/pulp/api/v3/tasks/")).toEqual({ domain: null, distribution: null, package: null });
  });

  it("agrees with the generator's truth on every line of a generated hour", () => {
    const stream = pulpHourStream({ hourStartMs: Date.UTC(2026, 1, 4, 14), eventsInHour: 20_000, marginSeconds: 0 });
    let checked = 0;
    for (const event of stream.events(Date.UTC(2026, 1, 4, 14), Date.UTC(2026, 1, 4, 15))) {
      const parsed = envelopedLines(event.message)
        .map((c) => parsePulpAccessLine(c.line))
        .find((p) => p !== undefined);
      if (event.kind === "malformed" || event.kind === "djangoWarning") {
        expect(parsed, event.message).toBeUndefined();
        continue;
      }
      const truth = event.access;
      expect(parsed, event.message).toBeDefined();
      expect(parsed).toMatchObject({
        correlationId: truth?.correlationId,
        user: truth?.user,
        orgId: truth?.orgId,
        statusCode: truth?.statusCode,
        userAgent: truth?.userAgent,
        responseBytes: truth?.responseBytes,
        durationMs: truth?.durationMs,
        method: truth?.method,
        path: truth?.target,
      });
      expect(parsed?.xForwardedFor).toBe(truth?.xForwardedFor?.split(",")[0]?.trim() ?? null);
      if (event.kind === "access" || event.kind === "anonymous")
        expect(pypiCoordinates(parsed?.path ?? "")).toEqual({ domain: truth?.domain, distribution: truth?.distribution, package: truth?.package });
      expect(threatOf(parsed?.path ?? "")).toBe(event.threat ?? null);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(15_000);
  });
});

describe("bot detection (isbot, package managers exempt)", () => {
  it.each([
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Wget/1.21.4",
  ])("flags %s", (agent) => {
    expect(isBot(agent)).toBe(true);
  });

  it.each([
    'pip/25.0.1 {"ci":null,"installer":{"name":"pip","version":"25.0.1"}}',
    "pip/23.0",
    "uv/0.9.26 {}",
    "poetry/2.1.1",
    "dnf/4.18.0",
    "Apache-Maven/3.9.11 (Java 25.0.3; Linux 7.0.12-201.fc44.x86_64)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
  ])("does not flag %s", (agent) => {
    expect(isBot(agent)).toBe(false);
  });

  it("has nothing to flag without a user agent", () => {
    expect(isBot(null)).toBe(false);
  });
});
