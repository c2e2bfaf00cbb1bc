import { renderTable } from "../cli/table.js";
import { DAY_MS, isoInstant } from "../shared/core/time.js";
import { createAzureStack } from "../test/helpers/azure-stack.js";
import { startAzurite } from "../test/helpers/azurite.js";
import { startFakeLogAnalytics } from "../test/helpers/fake-log-analytics.js";
import { demoTables, SyntheticTable } from "../test/helpers/synthetic-table.js";

const NOW = Date.UTC(2026, 10, 1, 0, 30);
const LAST_DAY = Date.UTC(2026, 9, 31);

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

/** Issue figures of the backfill: POST → 202 for 90 days × 20 tables, windows per minute, queue messages per window. */
export async function benchBackfill(): Promise<void> {
  const azurite = await startAzurite();
  const busy = demoTables(LAST_DAY, 1);
  const quiet = Array.from({ length: 20 }, (_, i) => quietTable(`Wide${String(i).padStart(2, "0")}_CL`));
  const fake = await startFakeLogAnalytics({ tables: [...busy, ...quiet] });
  try {
    const settings = { LOGEXPORT_WORKSPACE_RETENTION_DAYS: "730", LOGEXPORT_BACKFILL_MAX_WINDOWS: "100000" };
    const wide = await createAzureStack({
      connectionString: azurite.connectionString,
      fake,
      tables: quiet.map((t) => t.name),
      clock: { now: () => NOW },
      settings,
    });
    const request = { tables: quiet.map((t) => t.name), start: isoInstant(LAST_DAY + DAY_MS - 90 * DAY_MS), end: isoInstant(LAST_DAY + DAY_MS) };
    const started = performance.now();
    const accepted = await wide.backfill(request);
    const postSeconds = (performance.now() - started) / 1000;
    const body = accepted.body as { windows: number; jobs: number };

    const local = await createAzureStack({
      connectionString: azurite.connectionString,
      fake,
      tables: busy.map((t) => t.name),
      clock: { now: () => NOW },
      settings,
    });
    const twoDays = { tables: busy.map((t) => t.name), start: isoInstant(LAST_DAY - DAY_MS), end: isoInstant(LAST_DAY + DAY_MS) };
    const small = (await local.backfill(twoDays)).body as { windows: number; jobs: number };
    const drainStarted = performance.now();
    const drained = await local.drain({ batchSize: 4 });
    const drainMinutes = (performance.now() - drainStarted) / 60_000;
    const rows = busy.reduce((n, t) => n + t.rowsIn(LAST_DAY - DAY_MS, LAST_DAY + DAY_MS), 0);

    process.stdout.write(
      `${renderTable([
        ["figure", "value"],
        [`POST /api/backfill → ${accepted.status}, 90 days × 20 tables (${body.windows} windows, ${body.jobs} coarse jobs)`, `${postSeconds.toFixed(2)} s`],
        [`windows per minute through the local pipeline (${small.windows} hourly windows, ${rows} rows, 4 workers)`, Math.round(small.windows / drainMinutes)],
        [`queue messages per window (${drained.succeeded} messages for ${small.windows} windows)`, (drained.succeeded / small.windows).toFixed(3)],
      ])}\n`,
    );
    if (drained.succeeded !== small.windows + small.jobs || drained.poisoned > 0) throw new Error(`unexpected drain result ${JSON.stringify(drained)}`);
  } finally {
    await fake.close();
    await azurite.stop();
  }
}
