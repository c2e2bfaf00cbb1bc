import { describe, expect, it } from "vitest";
import { parseNginxJsonLine } from "../../../shared/parsers/nginx-json-log.js";

const FIELDS = {
  time_local: "04/Feb/2026:14:30:00 +0000",
  remote_addr: "203.0.113.9",
  remote_user: "alice",
  request: "GET /api/pypi/d/dist/simple/numpy/ HTTP/1.1",
  status: "200",
  body_bytes_sent: "512",
  request_time: "0.031",
  http_referer: "-",
  http_user_agent: "uv/0.9.26 {}",
  http_x_forwarded_for: "198.51.100.7, 10.0.0.1",
  request_id: "7f1c",
};
const PARSED = {
  correlationId: "7f1c",
  remoteAddr: "203.0.113.9",
  user: "alice",
  orgId: null,
  method: "GET",
  path: "/api/pypi/d/dist/simple/numpy/",
  protocol: "HTTP/1.1",
  statusCode: 200,
  responseBytes: 512,
  referer: null,
  userAgent: "uv/0.9.26 {}",
  durationMs: 31,
  xForwardedFor: "198.51.100.7",
};

describe("nginx's JSON log format", () => {
  it("parses a line of the usual template", () => {
    expect(parseNginxJsonLine(JSON.stringify(FIELDS))).toEqual(PARSED);
  });

  it.each([
    ["numbers where the template leaves values unquoted", { ...FIELDS, status: 200, body_bytes_sent: 512, request_time: 0.031 }, {}],
    [
      "method and URI in their own fields",
      { ...FIELDS, request: undefined, request_method: "HEAD", request_uri: "/x?y=1", server_protocol: "HTTP/2.0" },
      { method: "HEAD", path: "/x?y=1", protocol: "HTTP/2.0" },
    ],
    ["quotes in the user agent (escape=json)", { ...FIELDS, http_user_agent: 'pip/25.0.1 {"ci":null}' }, { userAgent: 'pip/25.0.1 {"ci":null}' }],
    [
      "missing and empty fields",
      { request: "GET / HTTP/1.1", status: "301", remote_user: "" },
      {
        correlationId: null,
        remoteAddr: null,
        user: null,
        path: "/",
        statusCode: 301,
        responseBytes: null,
        userAgent: null,
        durationMs: null,
        xForwardedFor: null,
      },
    ],
    [
      "IPv6 addresses",
      { ...FIELDS, remote_addr: "2001:db8::1", http_x_forwarded_for: "2001:db8::2" },
      { remoteAddr: "2001:db8::1", xForwardedFor: "2001:db8::2" },
    ],
    [
      "the common aliases",
      { ...FIELDS, http_referer: undefined, http_referrer: "https://example.com/", http_user_agent: undefined, user_agent: "curl/8" },
      { referer: "https://example.com/", userAgent: "curl/8" },
    ],
  ])("parses %s", (_name, fields, differences) => {
    expect(parseNginxJsonLine(JSON.stringify(fields))).toEqual({ ...PARSED, ...differences });
  });

  it.each([
    ["a line without a status", JSON.stringify({ ...FIELDS, status: undefined })],
    ["a line without a request", JSON.stringify({ ...FIELDS, request: "-" })],
    ["a status out of range", JSON.stringify({ ...FIELDS, status: "2000" })],
    ["a negative size", JSON.stringify({ ...FIELDS, body_bytes_sent: "-5" })],
    ["cut JSON", JSON.stringify(FIELDS).slice(0, 40)],
    ["a JSON array", "[1,2]"],
    ["a combined line", '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1 "-" "-"'],
  ])("refuses %s", (_name, line) => {
    expect(parseNginxJsonLine(line)).toBeUndefined();
  });
});
