import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../../shared/core/records.js";
import { accessRowTransform } from "../../../shared/parsers/access-rows.js";
import { contentRowTransform } from "../../../shared/parsers/content-rows.js";
import type { ContentType } from "../../../shared/parsers/content/types.js";
import { IdentitySanitizer } from "../../../shared/sanitize/index.js";
import {
  UPSTREAM_ACCESS_CASES,
  UPSTREAM_CONTENT_LINES,
  UPSTREAM_CONTENT_ROWS,
  UPSTREAM_CONTENT_SKIPS,
  UPSTREAM_MAVEN_LINES,
  UPSTREAM_OLD_CONTENT_LINE,
} from "../../fixtures/upstream-pulp/test-lines.js";

const T = Date.UTC(2026, 5, 9, 14, 30);

function contentRows(type: ContentType, lines: readonly string[]): LogRecord[] {
  const transform = contentRowTransform({ contentType: type, pathPrefix: "/api/pulp-content/", excludePaths: ["/livez", "/status"] }, new IdentitySanitizer());
  return lines.flatMap((message) => {
    const result = transform.apply({ timestamp: T, message, logStream: "s" });
    return result.kind === "row" ? [result.row] : [];
  });
}

describe("upstream's own test lines give the rows its tests assert", () => {
  it("access: conftest's two CloudWatch results (test_export.py)", () => {
    const transform = accessRowTransform(
      { logFormat: "pulp", includePaths: ["/api/pypi/"], excludePaths: ["/livez", "/status"], enrich: false },
      new IdentitySanitizer(),
    );
    for (const { timestamp, message, row } of UPSTREAM_ACCESS_CASES) {
      const ms = Date.parse(timestamp);
      expect(transform.apply({ timestamp: ms, message, logStream: "s" })).toEqual({
        kind: "row",
        row: { timestamp: BigInt(ms) * 1_000_000n, message, ...row },
      });
    }
  });

  it.each(["python", "rpm", "maven"] as const)("content %s: the rows test_content_export.py asserts, in order", (type) => {
    const rows = contentRows(type, type === "maven" ? UPSTREAM_MAVEN_LINES : UPSTREAM_CONTENT_LINES);
    const expected = UPSTREAM_CONTENT_ROWS[type];
    expect(rows).toHaveLength(expected.length);
    expected.forEach((row, i) => expect(rows[i]).toMatchObject(row));
  });

  it("content: the lines its tests skip give no row", () => {
    for (const [type, line] of UPSTREAM_CONTENT_SKIPS) expect(contentRows(type, [line]), line).toEqual([]);
  });

  it("content: a line from before request_time has a null request_time_ms", () => {
    expect(contentRows("python", [UPSTREAM_OLD_CONTENT_LINE])).toMatchObject([{ request_time_ms: null, package_name: "requests" }]);
  });
});
