import { describe, expect, it } from "vitest";
import { envelopedLines } from "../../../shared/parsers/envelope.js";

const LINE =
  '(pulp [abc-123]: 192.168.1.1 - user:testuser org_id:org123 [04/Feb/2026:14:30:00 +0000] "GET /api/pypi/d/p/simple/x/ HTTP/1.1" 200 1 "-" "uv" 5 x_forwarded_for:"-")';

describe("the line inside a CloudWatch event, per event", () => {
  it("reads a bare line, without the newline a runtime adds", () => {
    expect(envelopedLines(`${LINE}\n`)).toEqual([{ shape: "bare", line: LINE }]);
  });

  it("reads an OpenShift envelope's message and a Fluent Bit envelope's log", () => {
    expect(envelopedLines(JSON.stringify({ "@timestamp": "2026-02-04T14:30:00Z", message: LINE, kubernetes: { pod_name: "p" }, hostname: "h" }))).toEqual([
      { shape: "message", line: LINE },
    ]);
    expect(envelopedLines(JSON.stringify({ log: `${LINE}\n`, stream: "stdout", kubernetes: { pod_name: "p" } }))).toEqual([{ shape: "log", line: LINE }]);
  });

  it("offers both when an envelope has both, message first", () => {
    expect(envelopedLines(JSON.stringify({ log: "a", message: "b" }))).toEqual([
      { shape: "message", line: "b" },
      { shape: "log", line: "a" },
    ]);
  });

  it("takes a JSON object without either, a broken envelope or a non-string field as the line itself", () => {
    const nginx = '{"remote_addr":"::1","request":"GET / HTTP/1.1","status":"200"}';
    expect(envelopedLines(nginx)).toEqual([{ shape: "bare", line: nginx }]);
    expect(envelopedLines('{"log": "cut')).toEqual([{ shape: "bare", line: '{"log": "cut' }]);
    expect(envelopedLines('{"message": 42}')).toEqual([{ shape: "bare", line: '{"message": 42}' }]);
    expect(envelopedLines("[1]")).toEqual([{ shape: "bare", line: "[1]" }]);
  });
});
