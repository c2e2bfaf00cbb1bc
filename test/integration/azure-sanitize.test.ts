import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { QueueClient } from "@azure/storage-queue";
import { ConfigurationError } from "../../shared/core/errors.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { encodeWindowJob } from "../../shared/engine/messages.js";
import { createAzureStack } from "../helpers/azure-stack.js";
import { downloadAll, manifests } from "../helpers/exported.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";
import { gunzipSync } from "node:zlib";

const DAY = Date.UTC(2026, 10, 20);
const connectionString = inject("azuriteConnectionString");
let fake: FakeLogAnalytics;

beforeAll(async () => {
  const table = new SyntheticTable({
    name: "AuditLogs_CL",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Message", type: "string", pool: ["login by alice@example.com from 10.1.2.3", "Authorization: Bearer not-a-real-token-0000", "nothing to see"] },
    ],
    bytesPerRow: 100,
    rowsInMinute: (m) => (m >= DAY && m < DAY + HOUR_MS ? 5 : 0),
  });
  fake = await startFakeLogAnalytics({ tables: [table] });
});
afterAll(async () => fake.close());

describe("the Azure worker's sanitizer step", () => {
  it("scrubs rows before they are written and records per-rule counts in the manifest, never values", async () => {
    const s = await createAzureStack({ connectionString, fake, tables: ["AuditLogs_CL"], clock: { now: () => DAY + 2 * HOUR_MS } });
    await new QueueClient(connectionString, s.env.LOGEXPORT_QUEUE as string).sendMessage(
      Buffer.from(
        encodeWindowJob({ table: "AuditLogs_CL", window: { startMs: DAY, endMs: DAY + HOUR_MS }, runId: "t", reason: "manual", force: false }),
      ).toString("base64"),
    );
    expect(await s.drain()).toMatchObject({ succeeded: 1 });
    const text = (await downloadAll(s.data)).map((b) => gunzipSync(b.data).toString("utf8")).join("");
    const [manifest] = await manifests(s.state, "AuditLogs_CL");
    expect(manifest?.sanitizer.name).toMatch(/^logexport-sanitizer\/v2\+gitleaks-\d+\.\d+\.\d+; /);
    const total = Object.values(manifest?.sanitizer.counts ?? {}).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect(text).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}/);
    expect(JSON.stringify(manifest)).not.toMatch(/@[A-Za-z0-9-]+\.[A-Za-z]{2,}/);
  });

  it("refuses to start when a rule needs the HMAC key and none is set", async () => {
    const config = JSON.stringify({ version: 1, fieldRules: [{ path: "Message", action: "pseudonymize" }] });
    await expect(
      createAzureStack({ connectionString, fake, tables: ["AuditLogs_CL"], settings: { LOGEXPORT_SANITIZER_CONFIG: config } }),
    ).rejects.toBeInstanceOf(ConfigurationError);
  });
});
