/** Seed 000's per-table containers: `LOGEXPORT_CONTAINER` with `{table}` gives each table its own container, on Azurite. */
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HOUR_MS, MINUTE_MS } from "../../shared/core/time.js";
import { loadAzureExportSettings } from "../../shared/settings/azure.js";
import { createAzureStack } from "../helpers/azure-stack.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { uniqueName } from "../helpers/storage.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 20);
const NOW = DAY + 3 * HOUR_MS + 30 * MINUTE_MS;
const connectionString = inject("azuriteConnectionString");
let fake: FakeLogAnalytics;

const table = (name: string, perMinute: number) =>
  new SyntheticTable({
    name,
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Message", type: "string" },
    ],
    bytesPerRow: 100,
    rowsInMinute: (m) => (m >= DAY ? perMinute : 0),
  });

beforeAll(async () => {
  fake = await startFakeLogAnalytics({ tables: [table("AppTraces", 4), table("Custom_CL", 3)] });
});
afterAll(async () => fake.close());

async function names(container: string): Promise<string[]> {
  const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  const found: string[] = [];
  for await (const blob of client.listBlobsFlat()) found.push(blob.name);
  return found;
}

describe("LOGEXPORT_CONTAINER with {table}", () => {
  it("exports each table into its own container (lowercase, _ as -), state in the state container", async () => {
    const prefix = uniqueName("pt").slice(0, 40);
    const stack = await createAzureStack({
      connectionString,
      fake,
      tables: ["AppTraces", "Custom_CL"],
      clock: { now: () => NOW },
      settings: { LOGEXPORT_CONTAINER: `${prefix}-{table}`, LOGEXPORT_INITIAL_LOOKBACK_HOURS: "3", LOGEXPORT_INGESTION_DELAY_MINUTES: "20" },
    });
    const plans = await stack.runPlanner();
    expect(plans.map((p) => [p.table, p.enqueued])).toEqual([
      ["AppTraces", 3],
      ["Custom_CL", 3],
    ]);
    expect((await stack.drain()).poisoned).toBe(0);
    const traces = await names(`${prefix}-apptraces`);
    const custom = await names(`${prefix}-custom-cl`);
    expect(traces).toHaveLength(3);
    expect(custom).toHaveLength(3);
    expect(traces.every((n) => n.startsWith("table=AppTraces/"))).toBe(true);
    expect(custom.every((n) => n.startsWith("table=Custom_CL/"))).toBe(true);
    expect((await stack.list(stack.state, "manifests/")).length).toBe(6);
    expect(stack.exporter.location).toMatch(new RegExp(`/${prefix}-\\{table\\}$`));
  });

  it("refuses a template that gives an invalid name or one container to two tables", () => {
    const base = { LOGEXPORT_WORKSPACE_ID: "00000000-0000-4000-8000-000000000001", ExportStorage: "UseDevelopmentStorage=true" };
    expect(() => loadAzureExportSettings({ ...base, LOGEXPORT_TABLES: "AppTraces", LOGEXPORT_CONTAINER: "Logs-{table}" })).toThrow(
      /LOGEXPORT_CONTAINER must give 3-63 lowercase letters, digits and single hyphens for every table, got "Logs-apptraces" from "Logs-\{table\}"/,
    );
    expect(() => loadAzureExportSettings({ ...base, LOGEXPORT_TABLES: "Custom_CL,custom_cl", LOGEXPORT_CONTAINER: "logs-{table}" })).toThrow(
      /gives two tables the same container/,
    );
    expect(() => loadAzureExportSettings({ ...base, LOGEXPORT_TABLES: "AppTraces", LOGEXPORT_CONTAINER: "log-export-state" })).toThrow(
      /LOGEXPORT_CONTAINER and LOGEXPORT_STATE_CONTAINER must name different containers/,
    );
    expect(loadAzureExportSettings({ ...base, LOGEXPORT_TABLES: "AppTraces,Custom_CL", LOGEXPORT_CONTAINER: "logs-{table}" }).container).toBe("logs-{table}");
  });
});
