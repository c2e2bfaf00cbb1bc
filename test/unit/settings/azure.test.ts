import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../shared/core/errors.js";
import { loadAzureExportSettings } from "../../../shared/settings/azure.js";
import { renderSettingsMarkdown } from "../../../shared/settings/docs.js";

const BASE = {
  LOGEXPORT_WORKSPACE_ID: "00000000-0000-4000-8000-000000000001",
  LOGEXPORT_TABLES: "AppRequests, SecurityEvent",
  ExportStorage: "UseDevelopmentStorage=true",
};

describe("Azure export settings", () => {
  it("applies the documented defaults", () => {
    const s = loadAzureExportSettings(BASE);
    expect(s).toMatchObject({
      tables: ["AppRequests", "SecurityEvent"],
      logsEndpoint: "https://api.loganalytics.io/v1",
      container: "log-exports",
      queue: "log-export-windows",
      windowMs: 3_600_000,
      ingestionDelayMs: 20 * 60_000,
      lateDataLookbackMs: 48 * 3_600_000,
      partMaxRows: 200_000,
      maxConcurrentQueries: 4,
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it("names every bad setting and value in one error", () => {
    const env = {
      ...BASE,
      LOGEXPORT_TABLES: "AppRequests,Bad-Table|x",
      LOGEXPORT_WINDOW_MINUTES: "7",
      LOGEXPORT_PART_MAX_ROWS: "900000",
      LOGEXPORT_CONTAINER: "Bad_Name",
      LOGEXPORT_MAX_CONCURRENT_QUERIES: "0",
    };
    let error: unknown;
    try {
      loadAzureExportSettings(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = String((error as Error).message);
    expect(message).toMatch(/LOGEXPORT_TABLES: "Bad-Table\|x" is not a valid table name/);
    expect(message).toMatch(/LOGEXPORT_WINDOW_MINUTES must divide a day/);
    expect(message).toMatch(/LOGEXPORT_PART_MAX_ROWS must be a whole number from 1 to 500000, got "900000"/);
    expect(message).toMatch(/LOGEXPORT_CONTAINER must be 3-63 lowercase/);
    expect(message).toMatch(/LOGEXPORT_MAX_CONCURRENT_QUERIES must be a whole number from 1 to 50, got "0"/);
  });

  it("requires the workspace, the tables and a storage connection", () => {
    expect(() => loadAzureExportSettings({})).toThrow(/LOGEXPORT_WORKSPACE_ID is required[\s\S]*LOGEXPORT_TABLES is required[\s\S]*storage is not configured/);
  });

  it("uses identity-based storage when only service URIs are set", () => {
    const s = loadAzureExportSettings({
      ...BASE,
      ExportStorage: undefined,
      ExportStorage__blobServiceUri: "https://acct.blob.core.windows.net",
      ExportStorage__queueServiceUri: "https://acct.queue.core.windows.net",
      ExportStorage__clientId: "11111111-1111-1111-1111-111111111111",
    });
    expect(s.storage).toEqual({
      kind: "identity",
      blobServiceUri: "https://acct.blob.core.windows.net",
      queueServiceUri: "https://acct.queue.core.windows.net",
      clientId: "11111111-1111-1111-1111-111111111111",
    });
  });

  it("docs/settings.md is the rendered settings table", () => {
    expect(readFileSync(new URL("../../../docs/settings.md", import.meta.url), "utf8")).toBe(renderSettingsMarkdown());
  });
});
