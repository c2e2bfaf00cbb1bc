import { renderTable } from "../cli/table.js";
import { DAY_MS, isoInstant } from "../shared/core/time.js";
import { formatBytes } from "../shared/report/bytes.js";
import { createAzureStack, type HttpResult } from "../test/helpers/azure-stack.js";
import { startAzurite } from "../test/helpers/azurite.js";
import { startFakeLogAnalytics } from "../test/helpers/fake-log-analytics.js";
import { SyntheticTable } from "../test/helpers/synthetic-table.js";

const NOW = Date.UTC(2026, 10, 1, 0, 30);
const END = Date.UTC(2026, 10, 1);
const TABLES = Array.from({ length: 20 }, (_, i) => `Wide${String(i).padStart(2, "0")}_CL`);

function quietTable(name: string): SyntheticTable {
  return new SyntheticTable({
    name,
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Value", type: "int" },
    ],
    bytesPerRow: 30,
    rowsInMinute: () => 0,
  });
}

async function timed(call: () => Promise<HttpResult>): Promise<[HttpResult, number]> {
  const started = performance.now();
  const result = await call();
  return [result, performance.now() - started];
}

const size = (result: HttpResult): string => formatBytes(Buffer.byteLength(typeof result.body === "string" ? result.body : JSON.stringify(result.body ?? "")));

/** Issue figures of the API bounds: the response size and time of the worst requests one can build. */
export async function benchApiBounds(): Promise<void> {
  const azurite = await startAzurite();
  const fake = await startFakeLogAnalytics({ tables: TABLES.map(quietTable) });
  try {
    const stack = await createAzureStack({
      connectionString: azurite.connectionString,
      fake,
      tables: TABLES,
      clock: { now: () => NOW },
      settings: { LOGEXPORT_WORKSPACE_RETENTION_DAYS: "730" },
    });
    const names = Array.from({ length: 70_000 }, (_, i) => `Nope${i}`);
    const bigBody = JSON.stringify({ tables: names, start: isoInstant(END - DAY_MS), end: isoInstant(END) });
    const [hugeBody, hugeBodyMs] = await timed(() => stack.backfill(bigBody));
    const longNames = JSON.stringify({
      tables: Array.from({ length: 100 }, (_, i) => `${"x".repeat(600)}${i}`),
      start: isoInstant(END - DAY_MS),
      end: isoInstant(END),
    });
    const [longList, longListMs] = await timed(() => stack.backfill(longNames));
    const manyNames = names.slice(0, 10_000).join(",");
    const [manyTables, manyTablesMs] = await timed(() => stack.status({ table: manyNames }));
    const [run] = await timed(() => stack.backfill({ tables: TABLES, start: isoInstant(END - 90 * DAY_MS), end: isoInstant(END) }));
    const { runId, windows } = run.body as { runId: string; windows: number };
    const [runStatus, runStatusMs] = await timed(() => stack.status({ runId }));
    // Two more instances on one fresh state container, 8 concurrent requests for one table: one may start.
    const shared = await createAzureStack({
      connectionString: azurite.connectionString,
      fake,
      tables: TABLES,
      clock: { now: () => NOW },
      settings: { LOGEXPORT_WORKSPACE_RETENTION_DAYS: "730" },
    });
    const storageSettings = ["LOGEXPORT_CONTAINER", "LOGEXPORT_STATE_CONTAINER", "LOGEXPORT_QUEUE"];
    const other = await createAzureStack({
      connectionString: azurite.connectionString,
      fake,
      tables: TABLES,
      clock: { now: () => NOW },
      settings: { LOGEXPORT_WORKSPACE_RETENTION_DAYS: "730", ...Object.fromEntries(storageSettings.map((n) => [n, shared.env[n] ?? ""])) },
    });
    const oneTable = { tables: [TABLES[0]], start: isoInstant(END - DAY_MS), end: isoInstant(END) };
    const raceStarted = performance.now();
    const race = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? shared : other).backfill(oneTable)));
    const raceMs = performance.now() - raceStarted;
    const raceStatuses = [...race.map((r) => r.status)].sort().join(", ");
    process.stdout.write(
      `${renderTable([
        ["request", "status", "response", "time"],
        [
          `POST /api/backfill, ${formatBytes(Buffer.byteLength(bigBody))} body of ${names.length} unknown tables`,
          hugeBody.status,
          size(hugeBody),
          `${hugeBodyMs.toFixed(0)} ms`,
        ],
        [
          `POST /api/backfill, ${formatBytes(Buffer.byteLength(longNames))} body of 100 invalid 600-character names`,
          longList.status,
          size(longList),
          `${longListMs.toFixed(0)} ms`,
        ],
        [
          `GET /api/status?table= 10,000 unknown names (${formatBytes(manyNames.length)})`,
          manyTables.status,
          size(manyTables),
          `${manyTablesMs.toFixed(0)} ms`,
        ],
        [`GET /api/status?runId= of a ${windows}-window run (20 tables × 90 days)`, runStatus.status, size(runStatus), `${runStatusMs.toFixed(0)} ms`],
        [
          "8 concurrent POST /api/backfill for one table on two instances (claim by conditional write)",
          raceStatuses,
          size(race.find((r) => r.status === 429) ?? race[0] ?? runStatus),
          `${raceMs.toFixed(0)} ms`,
        ],
      ])}\n`,
    );
  } finally {
    await fake.close();
    await azurite.stop();
  }
}
