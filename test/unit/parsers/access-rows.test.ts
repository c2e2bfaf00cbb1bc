import { describe, expect, it } from "vitest";
import { accessRowTransform } from "../../../shared/parsers/access-rows.js";
import { defaultSanitizerConfig, IdentitySanitizer, Sanitizer } from "../../../shared/sanitize/index.js";
import { parseSanitizerConfig } from "../../../shared/sanitize/parse-config.js";

const LINE =
  'pulp [abc-123]: 192.168.1.1 - user:testuser org_id:org123 [04/Feb/2026:14:30:00 +0000] "GET /api/pypi/domain1/dist1/simple/package1/ HTTP/1.1" 200 456 "-" "uv/0.9.26 {}" 550 x_forwarded_for:"23.48.249.160,10.0.0.1"';
const T = Date.UTC(2026, 1, 4, 14, 30);
const options = { logFormat: "pulp", includePaths: ["/api/pypi/"], excludePaths: ["/livez", "/status"], enrich: false } as const;

describe("access rows", () => {
  it("maps a line to the seed's schema with nanosecond timestamps", () => {
    expect(accessRowTransform(options, new IdentitySanitizer()).apply({ timestamp: T, message: JSON.stringify({ log: `${LINE}\n` }), logStream: "s" })).toEqual(
      {
        kind: "row",
        row: {
          timestamp: BigInt(T) * 1_000_000n,
          message: LINE,
          user: "testuser",
          org_id: "org123",
          domain: "domain1",
          distribution: "dist1",
          package: "package1",
          status_code: 200,
          user_agent: "uv/0.9.26 {}",
          x_forwarded_for: "23.48.249.160",
        },
      },
    );
  });

  it("adds the enriched columns", () => {
    const result = accessRowTransform({ ...options, enrich: true }, new IdentitySanitizer()).apply({
      timestamp: T,
      message: LINE.replace("package1/", "..%2f..%2fetc/passwd"),
      logStream: "s",
    });
    expect(result).toMatchObject({
      kind: "row",
      row: { method: "GET", response_bytes: 456, duration_ms: 550, correlation_id: "abc-123", is_bot: false, threat: "path_traversal" },
    });
  });

  it("counts what it leaves out: health checks, other paths, Django warnings, lines that do not parse", () => {
    const transform = accessRowTransform(options, new IdentitySanitizer()).apply;
    expect(transform({ timestamp: T, message: LINE.replace("/api/pypi/domain1/dist1/simple/package1/", "/livez"), logStream: "s" })).toEqual({
      kind: "excluded",
      reason: "excluded-path",
    });
    expect(transform({ timestamp: T, message: LINE.replace("/api/pypi/", "/api/v3/"), logStream: "s" })).toEqual({ kind: "excluded", reason: "other-path" });
    expect(transform({ timestamp: T, message: "pulp [x]: django.request:WARNING Not Found: /api/pypi/a/b/", logStream: "s" })).toEqual({
      kind: "excluded",
      reason: "django-warning",
    });
    expect(transform({ timestamp: T, message: "pulp [x]: something else /api/pypi/", logStream: "s" })).toMatchObject({ kind: "malformed" });
    expect(
      transform({ timestamp: T, message: "pulp [x]: django.request:ERROR: Internal Server Error: /api/pypi/a/b/ django.request:WARNING", logStream: "s" }),
    ).toMatchObject({ kind: "malformed" });
    expect(transform({ timestamp: T, message: '{"log": "broken', logStream: "s" })).toMatchObject({ kind: "malformed" });
  });

  it("keeps an access line whose User-Agent or Correlation-ID carries the Django warning marker", () => {
    const transform = accessRowTransform(options, new IdentitySanitizer()).apply;
    for (const line of [LINE.replace('"uv/0.9.26 {}"', '"uv/0.9.26 django.request:WARNING"'), LINE.replace("[abc-123]", "[x]: django.request:WARNING")]) {
      expect(transform({ timestamp: T, message: line, logStream: "s" })).toMatchObject({ kind: "row", row: { package: "package1" } });
      expect(transform({ timestamp: T, message: JSON.stringify({ message: line }), logStream: "s" })).toMatchObject({ kind: "row" });
    }
  });

  it("passes string columns through the sanitizer when one is given, and counts what it changed", () => {
    const transform = accessRowTransform(options, new Sanitizer(defaultSanitizerConfig()));
    const result = transform.apply({ timestamp: T, message: LINE, logStream: "s" });
    expect(result.kind).toBe("row");
    const row = result.kind === "row" ? result.row : {};
    expect(String(row.x_forwarded_for)).not.toContain("23.48.249.160");
    expect(String(row.message)).not.toContain("23.48.249.160");
    expect(transform.sanitizer.counts().ipv4).toBeGreaterThan(0);
  });

  it("applies field rules by column name: a keyed pseudonym for user, the same for the same user", () => {
    const config = parseSanitizerConfig(
      JSON.stringify({
        version: 1,
        fieldRules: [
          { path: "user", action: "pseudonymize" },
          { path: "org_id", action: "redact" },
        ],
      }),
      "test",
    );
    const transform = accessRowTransform(options, new Sanitizer(config, { hmacKey: new Uint8Array(32).fill(7) }));
    const first = transform.apply({ timestamp: T, message: LINE, logStream: "s" });
    const again = transform.apply({ timestamp: T + 1, message: LINE, logStream: "s" });
    const row = first.kind === "row" ? first.row : {};
    expect(String(row.user)).toMatch(/^pseu_[0-9a-f]+$/);
    expect(again.kind === "row" ? again.row.user : undefined).toBe(row.user);
    expect(row.org_id).not.toBe("org123");
    expect(row.timestamp).toBe(BigInt(T) * 1_000_000n);
    expect(row.status_code).toBe(200);
  });
});

describe("access rows of the other log formats, with the same enrichment", () => {
  const combined =
    '2001:db8::7 - alice [04/Feb/2026:14:30:00 +0000] "GET /api/pypi/d/rhoai/3.4/simple/numpy/?x=1 HTTP/2.0" 200 2326 "-" "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)" "203.0.113.9, 10.0.0.1" 0.250';
  const nginx = JSON.stringify({
    remote_addr: "203.0.113.9",
    remote_user: "-",
    request: "GET /api/pypi/d/dist/simple/requests/ HTTP/1.1",
    status: "404",
    body_bytes_sent: "0",
    request_time: "0.004",
    http_referer: "",
    http_user_agent: 'pip/25.0.1 {"ci":null}',
    http_x_forwarded_for: "-",
    request_id: "r-9",
  });

  it("maps a combined line to the seed's columns and the enriched ones", () => {
    const result = accessRowTransform({ ...options, logFormat: "combined", enrich: true }, new IdentitySanitizer()).apply({
      timestamp: T,
      message: combined,
      logStream: "s",
    });
    expect(result).toEqual({
      kind: "row",
      row: {
        timestamp: BigInt(T) * 1_000_000n,
        message: combined,
        user: "alice",
        org_id: null,
        domain: "d",
        distribution: "rhoai/3.4",
        package: "numpy",
        status_code: 200,
        user_agent: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        x_forwarded_for: "203.0.113.9",
        method: "GET",
        path: "/api/pypi/d/rhoai/3.4/simple/numpy/?x=1",
        response_bytes: 2326,
        duration_ms: 250,
        correlation_id: null,
        is_bot: true,
        threat: null,
      },
    });
  });

  it("maps an nginx JSON line, bare or inside an envelope's message or log", () => {
    const transform = accessRowTransform({ ...options, logFormat: "nginx-json", enrich: true }, new IdentitySanitizer());
    for (const message of [nginx, JSON.stringify({ message: nginx, kubernetes: {} }), JSON.stringify({ log: `${nginx}\n` })]) {
      expect(transform.apply({ timestamp: T, message, logStream: "s" })).toMatchObject({
        kind: "row",
        row: {
          message: nginx,
          user: null,
          domain: "d",
          distribution: "dist",
          package: "requests",
          status_code: 404,
          x_forwarded_for: "",
          response_bytes: 0,
          duration_ms: 4,
          correlation_id: "r-9",
          is_bot: false,
        },
      });
    }
  });

  it("counts a line of another format as malformed", () => {
    expect(
      accessRowTransform({ ...options, logFormat: "combined" }, new IdentitySanitizer()).apply({ timestamp: T, message: LINE, logStream: "s" }),
    ).toMatchObject({ kind: "malformed" });
    expect(
      accessRowTransform({ ...options, logFormat: "nginx-json" }, new IdentitySanitizer()).apply({ timestamp: T, message: combined, logStream: "s" }),
    ).toMatchObject({ kind: "malformed" });
  });
});
