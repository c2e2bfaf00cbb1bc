import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { loadAwsExportSettings } from "../../../shared/settings/aws.js";

describe("AWS export settings", () => {
  it("applies the seed's defaults", () => {
    expect(loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: "/aws/containerinsights/pulp-prod/application", LOGEXPORT_S3_BUCKET: "pulp-logs" })).toMatchObject({
      prefix: "pulp-access-logs",
      filter: { includePaths: ["/api/pypi/"], excludePaths: ["/livez", "/status"] },
      delayMs: 15 * 60_000,
      queryConcurrency: 4,
      queryRowLimit: 10_000,
      enrich: false,
    });
  });

  it("names every bad setting, including a filter path that would change the query", () => {
    let message = "";
    try {
      loadAwsExportSettings({
        LOGEXPORT_S3_BUCKET: "Bad_Bucket",
        LOGEXPORT_FILTER_PATHS: "/api/pypi/ | stats count(*)",
        LOGEXPORT_QUERY_ROW_LIMIT: "20000",
        LOGEXPORT_ENRICH: "yes",
        LOGEXPORT_LOG_STREAM: 'a"b',
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      message = (error as Error).message;
    }
    for (const pattern of [
      /LOGEXPORT_LOG_GROUPS is required/,
      /LOGEXPORT_S3_BUCKET must be an S3 bucket name/,
      /--filter-paths: .* is not allowed/,
      /LOGEXPORT_QUERY_ROW_LIMIT must be a whole number from 1 to 10000/,
      /LOGEXPORT_ENRICH must be true or false/,
      /LOGEXPORT_LOG_STREAM/,
    ]) {
      expect(message).toMatch(pattern);
    }
  });

  it("refuses a log group list that names no group, and a missing one only as required", () => {
    expect(() => loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: " , ,", LOGEXPORT_S3_BUCKET: "pulp-logs" })).toThrow(
      /LOGEXPORT_LOG_GROUPS names no log group, got " , ,"/,
    );
    expect(() => loadAwsExportSettings({ LOGEXPORT_S3_BUCKET: "pulp-logs" })).toThrow(/invalid settings:\n {2}- LOGEXPORT_LOG_GROUPS is required[^\n]*$/);
  });
});
