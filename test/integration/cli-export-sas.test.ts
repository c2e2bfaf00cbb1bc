/**
 * Seed 000 wrote to Blob Storage with a SAS token: `export --out <container URL>?<SAS>` on Azurite, the token the
 * only credential, and absent from every line printed (progress and --verbose logs included) and every object written.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient, ContainerSASPermissions } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exportCommand } from "../../cli/commands/export.js";
import { statusCommand } from "../../cli/commands/status.js";
import { HOUR_MS } from "../../shared/core/time.js";
import { capturedIO } from "../helpers/cli-io.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { uniqueName } from "../helpers/storage.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";

const DAY = Date.UTC(2026, 10, 20);
let fake: FakeLogAnalytics;
let dir: string;

beforeAll(async () => {
  fake = await startFakeLogAnalytics({
    tables: [
      new SyntheticTable({
        name: "Syslog",
        columns: [
          { name: "TimeGenerated", type: "datetime" },
          { name: "SyslogMessage", type: "string" },
        ],
        bytesPerRow: 100,
        rowsInMinute: (m) => (m >= DAY ? 5 : 0),
      }),
    ],
  });
  dir = await mkdtemp(join(tmpdir(), "logexport-sas-"));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe("export --out with a SAS URL", () => {
  it("writes data, manifests and ledger through the token alone, and never prints or stores it", async () => {
    const container = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(uniqueName("sas"));
    await container.create();
    const sasUrl = await container.generateSasUrl({ permissions: ContainerSASPermissions.parse("racwdl"), expiresOn: new Date(Date.now() + 3_600_000) });
    const signature = new URL(sasUrl).searchParams.get("sig") ?? "";
    expect(signature.length).toBeGreaterThan(20);
    const out = `${container.url}/exports/la?${new URL(sasUrl).search.slice(1)}`;
    // No connection string anywhere: the token is the only credential.
    const cli = capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1` }, now: () => DAY + 5 * HOUR_MS });
    const args = [
      "--workspace",
      fake.workspaceId,
      "--table",
      "Syslog",
      "--start",
      "2026-11-20T00:00:00Z",
      "--end",
      "2026-11-20T02:00:00Z",
      "--format",
      "jsonl.gz",
      "--out",
      out,
      "--verbose",
    ];
    expect(await exportCommand(args, cli)).toBe(0);
    expect(cli.out()).toContain(`exported to ${container.url}/exports/la`);

    const names: string[] = [];
    for await (const blob of container.listBlobsFlat()) names.push(blob.name);
    expect(names.filter((n) => n.startsWith("exports/la/table=Syslog/"))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith("_logexport/manifests/"))).toHaveLength(2);
    const forms = [signature, encodeURIComponent(signature)];
    for (const name of names.filter((n) => n.startsWith("_logexport/"))) {
      const text = (await container.getBlobClient(name).downloadToBuffer()).toString();
      for (const form of forms) expect(text, name).not.toContain(form);
      expect(text, name).not.toMatch(/sig=/);
    }
    // status reads the state where the export left it, through the same URL and token.
    const status = capturedIO({ env: {}, now: () => DAY + 5 * HOUR_MS });
    expect(
      await statusCommand(["--tables", "Syslog", "--start", "2026-11-20T00:00:00Z", "--end", "2026-11-20T02:00:00Z", "--out", out, "--json"], status),
    ).toBe(0);
    const [syslog] = (JSON.parse(status.out()) as { tables: { table: string; counts: { exported: number }; rows: number }[] }).tables;
    expect([syslog?.table, syslog?.counts.exported, syslog?.rows]).toEqual(["Syslog", 2, 600]);
    for (const text of [cli.out(), cli.err(), status.out(), status.err()]) {
      for (const form of forms) expect(text).not.toContain(form);
      expect(text).not.toMatch(/sig=/);
    }
  });

  it("sends every request with the SAS and no other credential, though a connection string and an Azure login are at hand", async () => {
    const azurite = inject("azuriteConnectionString");
    const container = BlobServiceClient.fromConnectionString(azurite).getContainerClient(uniqueName("sasonly"));
    await container.create();
    const sas = new URL(
      await container.generateSasUrl({ permissions: ContainerSASPermissions.parse("racwdl"), expiresOn: new Date(Date.now() + 3_600_000) }),
    ).search.slice(1);
    const proxy = await startFaultProxy(new URL(container.url).origin);
    try {
      const out = `${proxy.url}${new URL(container.url).pathname}/exports?${sas}`;
      // Both would work against Azurite; neither may be used: the connection string would also bypass the proxy.
      const cli = capturedIO({
        env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1`, AZURE_STORAGE_CONNECTION_STRING: azurite, AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000000" },
        now: () => DAY + 5 * HOUR_MS,
      });
      const args = [
        "--workspace",
        fake.workspaceId,
        "--table",
        "Syslog",
        "--start",
        "2026-11-20T00:00:00Z",
        "--end",
        "2026-11-20T02:00:00Z",
        "--format",
        "jsonl.gz",
        "--out",
        out,
      ];
      expect(await exportCommand(args, cli)).toBe(0);
      const writes = proxy.requests.filter((r) => r.method === "PUT").map((r) => ({ ...r, path: decodeURIComponent(r.path) }));
      expect(writes.filter((r) => r.path.includes("/_logexport/manifests/"))).toHaveLength(2);
      expect(writes.filter((r) => r.path.includes("/_logexport/ledger/")).length).toBeGreaterThan(0);
      expect(writes.filter((r) => r.path.includes("/exports/table=Syslog/")).length).toBeGreaterThan(0);
      for (const r of proxy.requests) {
        expect(r.authorization, `${r.method} ${r.path.split("?")[0]}`).toBeUndefined();
        expect(new URL(r.path, proxy.url).searchParams.get("sig"), `${r.method} ${r.path.split("?")[0]}`).toBe(new URLSearchParams(sas).get("sig"));
      }
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: "_logexport/manifests/" })) names.push(blob.name);
      expect(names).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it("names a bad URL without its query", async () => {
    const cli = capturedIO({ env: { AZURE_LOGS_ENDPOINT: `${fake.url}/v1` }, now: () => DAY + 5 * HOUR_MS });
    const args = (out: string) => [
      "--workspace",
      fake.workspaceId,
      "--table",
      "Syslog",
      "--start",
      "2026-11-20T00:00:00Z",
      "--end",
      "2026-11-20T01:00:00Z",
      "--out",
      out,
    ];
    await expect(exportCommand(args(`${inject("azuriteBlobUrl")}/Bad_Container/x?sv=1&sig=SECRETSIG`), cli)).rejects.toThrow(
      /^--out http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/Bad_Container\/x: the container "Bad_Container" must be/,
    );
    await expect(exportCommand(args(`${inject("azuriteBlobUrl")}/Bad_Container/x?sv=1&sig=SECRETSIG`), cli)).rejects.not.toThrow(/SECRETSIG/);
    await expect(exportCommand(args(`${inject("azuriteBlobUrl")}/okcontainer/x?sv=1`), cli)).rejects.toThrow(/the URL has a query but no SAS signature/);
  });
});
