import { describe, expect, it } from "vitest";
import { parseCombinedLine } from "../../../shared/parsers/combined-log.js";

const COMBINED =
  '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
const PARSED = {
  correlationId: null,
  remoteAddr: "127.0.0.1",
  user: "frank",
  orgId: null,
  method: "GET",
  path: "/apache_pb.gif",
  protocol: "HTTP/1.0",
  statusCode: 200,
  responseBytes: 2326,
  referer: "http://www.example.com/start.html",
  userAgent: "Mozilla/4.08 [en] (Win98; I ;Nav)",
  durationMs: null,
  xForwardedFor: null,
};

describe("the combined log format (Apache, nginx)", () => {
  it("parses the example of Apache's documentation", () => {
    expect(parseCombinedLine(COMBINED)).toEqual(PARSED);
  });

  it.each([
    ["nginx's main format: a quoted X-Forwarded-For", `${COMBINED} "203.0.113.9, 10.0.0.1"`, { xForwardedFor: "203.0.113.9" }],
    ["a request time in seconds", `${COMBINED} 0.125`, { durationMs: 125 }],
    ["both", `${COMBINED} "2001:db8::1" 1.5`, { xForwardedFor: "2001:db8::1", durationMs: 1500 }],
    ["a request time of whole seconds (Apache %T)", `${COMBINED} 3`, { durationMs: 3000 }],
    ["a - forwarded address", `${COMBINED} "-" 0.001`, { durationMs: 1 }],
    ["IPv6 clients", COMBINED.replace("127.0.0.1", "2001:db8:85a3::8a2e:370:7334"), { remoteAddr: "2001:db8:85a3::8a2e:370:7334" }],
    [
      "missing fields as -",
      '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 304 - "-" "-"',
      { user: null, statusCode: 304, responseBytes: null, referer: null, userAgent: null },
    ],
    [
      "Apache's escaped quotes and bytes in the user agent",
      COMBINED.replace('"Mozilla/4.08 [en] (Win98; I ;Nav)"', '"Mozilla \\"quoted\\" \\\\ \\xc3\\xbc"'),
      { userAgent: 'Mozilla "quoted" \\ ü' },
    ],
    ["nginx's \\x22 for quotes", COMBINED.replace('"Mozilla/4.08 [en] (Win98; I ;Nav)"', '"say \\x22hi\\x22"'), { userAgent: 'say "hi"' }],
    [
      "a user agent that ends like an address list but is quoted with it",
      COMBINED.replace('"Mozilla/4.08 [en] (Win98; I ;Nav)"', '"a" "b"'),
      { userAgent: 'a" "b' },
    ],
    ["HTTP/0.9 without a protocol", COMBINED.replace("GET /apache_pb.gif HTTP/1.0", "GET /apache_pb.gif"), { protocol: null }],
  ])("parses %s", (_name, line, differences) => {
    expect(parseCombinedLine(line)).toEqual({ ...PARSED, ...differences });
  });

  it.each([
    ["an empty request (nginx logs 400s so)", COMBINED.replace("GET /apache_pb.gif HTTP/1.0", "-")],
    ["a cut line", COMBINED.slice(0, 60)],
    ["a bad status", COMBINED.replace(" 200 ", " 20 ")],
    ["a request time that is no number", `${COMBINED} fast`],
    ["the Pulp format", 'pulp [x]: 10.0.0.1 - user:u org_id:o [04/Feb/2026:14:30:00 +0000] "GET / HTTP/1.1" 200 1 "-" "uv" 5 x_forwarded_for:"-"'],
  ])("refuses %s", (_name, line) => {
    expect(parseCombinedLine(line)).toBeUndefined();
  });
});
