import { describe, expect, it } from "vitest";
import { embeddedMetricLine, windowMetrics } from "../../../shared/engine/metrics.js";

describe("window metrics", () => {
  it("counts retries as attempts beyond the first and the lag from the window's end", () => {
    expect(windowMetrics({ rows: 10, bytes: 200, partAttempts: [1, 3, 2], durationMs: 1_500, windowEndMs: 1_000_000, nowMs: 1_000_000 + 1_260_400 })).toEqual({
      rows: 10,
      bytes: 200,
      parts: 3,
      retries: 3,
      durationMs: 1_500,
      exportLagSeconds: 1_260,
    });
    expect(windowMetrics({ rows: 0, bytes: 0, partAttempts: [], durationMs: 0, windowEndMs: 5_000, nowMs: 1_000 }).exportLagSeconds).toBe(0);
  });

  it("writes CloudWatch Embedded Metric Format: the declared metrics are top-level members with units", () => {
    const metrics = windowMetrics({ rows: 7, bytes: 99, partAttempts: [1], durationMs: 20, windowEndMs: 0, nowMs: 60_000 });
    const line = JSON.parse(embeddedMetricLine("LogExport", { Export: "rpm" }, metrics, 123)) as Record<string, unknown> & {
      _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
    };
    expect(line._aws.Timestamp).toBe(123);
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe("LogExport");
    expect(directive?.Dimensions).toEqual([["Export"]]);
    expect(line.Export).toBe("rpm");
    for (const { Name, Unit } of directive?.Metrics ?? []) {
      expect(typeof line[Name], Name).toBe("number");
      expect(["Count", "Bytes", "Milliseconds", "Seconds"]).toContain(Unit);
    }
    expect(directive?.Metrics.map((m) => m.Name)).toEqual(["Rows", "Bytes", "Parts", "Retries", "DurationMs", "ExportLagSeconds"]);
    expect([line.Rows, line.Bytes, line.ExportLagSeconds]).toEqual([7, 99, 60]);
  });
});
