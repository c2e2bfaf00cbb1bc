import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { formatBytes, renderTable } from "../cli/table.js";
import { DAY_MS, HOUR_MS, isoInstant } from "../shared/core/time.js";
import type { TableCoverage, WindowStatus } from "../shared/engine/status.js";
import { coveragePage } from "../shared/report/coverage-page.js";

const DAYS = 90;
const TABLES = 50;
const FIRST_DAY = Date.UTC(2026, 7, 1);
const RUNS = 5;

/** Hourly windows, mostly exported, with a failure, an in-progress and a missing stretch in some tables (errors as long as real ones). */
function syntheticTable(t: number): TableCoverage {
  const windows: WindowStatus[] = [];
  for (let h = 0; h < DAYS * 24; h += 1) {
    const startMs = FIRST_DAY + h * HOUR_MS;
    const base = { start: isoInstant(startMs), end: isoInstant(startMs + HOUR_MS) };
    if (t % 7 === 3 && h % 200 === 17)
      windows.push({
        ...base,
        state: "failed",
        runId: `bf-20261101T000000Z-${t}`,
        error: `SourceQueryError: rows of Table${t}_CL [${base.start}, ${base.end}) returned PartialFailure: PartialError: There were some errors when processing your query.`,
      });
    else if (t % 5 === 1 && h >= (DAYS - 2) * 24) windows.push({ ...base, state: "in-progress" });
    else if (t % 9 === 4 && h % 24 < 6 && h < 20 * 24) windows.push({ ...base, state: "missing" });
    else
      windows.push({
        ...base,
        state: "exported",
        rows: 20_000 + ((h * 7919 + t * 104_729) % 30_000),
        bytes: 1_500_000 + ((h * 31 + t) % 900_000),
        runId: `plan-${isoInstant(startMs + 2 * HOUR_MS).slice(0, 13)}`,
      });
  }
  const counts = { exported: 0, "in-progress": 0, failed: 0, missing: 0 };
  for (const w of windows) counts[w.state] += 1;
  return {
    table: `Table${String(t).padStart(2, "0")}_CL`,
    counts,
    rows: windows.reduce((n, w) => n + (w.rows ?? 0), 0),
    bytes: windows.reduce((n, w) => n + (w.bytes ?? 0), 0),
    newestExported: isoInstant(FIRST_DAY + DAYS * DAY_MS),
    lagSeconds: 1_800,
    windows,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Issue figures of the coverage page: its size and the time Chromium takes to render 90 days × 50 tables of hourly windows. */
export async function benchCoveragePage(): Promise<void> {
  const tables = Array.from({ length: TABLES }, (_, t) => syntheticTable(t));
  const generated: number[] = [];
  let html = "";
  for (let i = 0; i < RUNS; i += 1) {
    const started = performance.now();
    html = coveragePage({
      title: "Log export coverage",
      generatedAt: isoInstant(FIRST_DAY + DAYS * DAY_MS),
      sections: [{ name: "Azure Log Analytics (60-minute windows)", tables }],
    }).html;
    generated.push(performance.now() - started);
  }
  const dir = resolve(".bench");
  await mkdir(dir, { recursive: true });
  const file = join(dir, "coverage-90x50.html");
  await writeFile(file, html);

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", headless: true });
  const loads: number[] = [];
  const clicks: number[] = [];
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const started = performance.now();
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      // Two animation frames after load: the first paint of the laid-out heatmap has happened.
      await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
      loads.push(performance.now() - started);
      // Measured inside the page: the handler plus the layout it causes, without the driver's round trips.
      clicks.push(
        await page.evaluate(() => {
          const started = performance.now();
          document.querySelector<HTMLElement>('td[data-table="Table03_CL"][data-day="2026-08-01"]')?.click();
          return document.querySelectorAll("#details tbody tr").length > 0 && document.body.offsetHeight > 0 ? performance.now() - started : Number.NaN;
        }),
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(
    `${renderTable([
      ["figure (90 days × 50 tables, hourly windows: 108,000 windows, 4,500 cells)", "value"],
      ["page size", formatBytes(Buffer.byteLength(html))],
      ["page size gzip", formatBytes(gzipSync(html).length)],
      [`generate in Node (median of ${RUNS})`, `${median(generated).toFixed(0)} ms`],
      [`Chromium: navigate, load and paint (median of ${RUNS})`, `${median(loads).toFixed(0)} ms`],
      [`Chromium: click a day to its window list (median of ${RUNS})`, `${median(clicks).toFixed(0)} ms`],
    ])}\n  page: ${file}\n`,
  );
}
