import { createServer } from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DAY_MS, HOUR_MS } from "../../shared/core/time.js";
import type { ExportManifest } from "../../shared/engine/manifest.js";
import { createAzureStack, type AzureStack } from "../helpers/azure-stack.js";
import { manifests } from "../helpers/exported.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { listenOnLoopback, type Listening } from "../helpers/loopback-server.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";
import { launchChromium } from "./chromium.js";
import { distance, parseCssRgb, simulate, type Deficiency } from "./colour-vision.js";

const DAY0 = Date.UTC(2026, 9, 1);
const NOW = DAY0 + 5 * DAY_MS + 3 * HOUR_MS;
const WINDOW_MS = 6 * HOUR_MS;
const TABLES = ["Heartbeat", "Syslog"];
const iso = (ms: number): string => new Date(ms).toISOString();
const day = (n: number): string => iso(DAY0 + n * DAY_MS).slice(0, 10);

function table(name: string, perMinute: number): SyntheticTable {
  return new SyntheticTable({
    name,
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Computer", type: "string" },
    ],
    bytesPerRow: 60,
    rowsInMinute: (m) => (m >= DAY0 && m < NOW ? perMinute : 0),
  });
}

let fake: FakeLogAnalytics;
let stack: AzureStack;
let server: Listening;
let browser: Browser;
let page: Page;
const browserErrors: string[] = [];

async function backfill(tableName: string, startMs: number, endMs: number): Promise<void> {
  const accepted = await stack.backfill({ tables: [tableName], start: iso(startMs), end: iso(endMs) });
  if (accepted.status !== 202) throw new Error(`backfill refused: ${JSON.stringify(accepted.body)}`);
}

/**
 * Heartbeat: days 0–2 exported, day 3 accepted but not run (in progress), day 4 missing.
 * Syslog: day 0 exported; day 1 one window failed for good, three exported; day 2 half exported; days 3–4 missing.
 */
beforeAll(async () => {
  fake = await startFakeLogAnalytics({ tables: [table("Heartbeat", 1), table("Syslog", 2)] });
  stack = await createAzureStack({
    connectionString: inject("azuriteConnectionString"),
    fake,
    tables: TABLES,
    clock: { now: () => NOW },
    settings: { LOGEXPORT_WINDOW_MINUTES: "360", LOGEXPORT_WORKSPACE_RETENTION_DAYS: "90", LOGEXPORT_PART_ATTEMPTS: "1" },
  });
  await backfill("Heartbeat", DAY0, DAY0 + 3 * DAY_MS);
  await backfill("Syslog", DAY0, DAY0 + DAY_MS);
  await stack.drain();
  fake.inject({ on: "rows", kind: "partialFailure", times: 5 });
  await backfill("Syslog", DAY0 + DAY_MS, DAY0 + DAY_MS + WINDOW_MS);
  await stack.drain({ batchSize: 1 });
  await backfill("Syslog", DAY0 + DAY_MS + WINDOW_MS, DAY0 + 2 * DAY_MS);
  // One active run per table: the next Syslog backfill waits for this one.
  await stack.drain();
  await backfill("Syslog", DAY0 + 2 * DAY_MS, DAY0 + 2 * DAY_MS + 2 * WINDOW_MS);
  await stack.drain();
  await backfill("Heartbeat", DAY0 + 3 * DAY_MS, DAY0 + 4 * DAY_MS);

  server = await listenOnLoopback(
    createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname !== "/api/coverage") {
        response.writeHead(404).end();
        return;
      }
      stack.coverage(Object.fromEntries(url.searchParams)).then(
        (result) => response.writeHead(result.status, result.headers).end(String(result.body)),
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    }),
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
  page.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(message.text());
  });
  page.on("pageerror", (error) => browserErrors.push(error.message));
  const response = await page.goto(`${server.url}/api/coverage?start=${iso(DAY0)}&end=${iso(DAY0 + 5 * DAY_MS)}`);
  expect(response?.status()).toBe(200);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

interface Cell {
  readonly table: string;
  readonly day: string;
  readonly state: string;
  readonly title: string;
}

function cells(): Promise<Cell[]> {
  return page.$$eval("td.cell[data-cell]", (tds) =>
    tds.map((td) => ({
      table: td.getAttribute("data-table") ?? "",
      day: td.getAttribute("data-day") ?? "",
      state: td.getAttribute("data-state") ?? "",
      title: td.getAttribute("title") ?? "",
    })),
  );
}

function manifestsOf(list: readonly ExportManifest[], dayText: string): ExportManifest[] {
  return list.filter((m) => m.window.start.startsWith(dayText));
}

describe("the coverage page in Chromium", () => {
  it("shows each table and day in the state its manifests and ledger give, with their windows and rows", async () => {
    const shown = await cells();
    expect(shown.map((c) => `${c.table} ${c.day} ${c.state}`)).toEqual([
      ...[0, 1, 2].map((n) => `Heartbeat ${day(n)} complete`),
      `Heartbeat ${day(3)} in-progress`,
      `Heartbeat ${day(4)} missing`,
      `Syslog ${day(0)} complete`,
      `Syslog ${day(1)} failed`,
      `Syslog ${day(2)} partial`,
      `Syslog ${day(3)} missing`,
      `Syslog ${day(4)} missing`,
    ]);
    for (const name of TABLES) {
      const stored = await manifests(stack.state, name);
      for (const cell of shown.filter((c) => c.table === name)) {
        const ofDay = manifestsOf(stored, cell.day);
        const rows = ofDay.reduce((n, m) => n + m.exportedRows, 0);
        expect(cell.title).toContain(`; 4 windows (${ofDay.length} exported,`);
        expect(cell.title).toContain(`; ${rows.toLocaleString("en-US")} rows;`);
      }
    }
  });

  it("lists a failed day's windows on click, the failed one with its error", async () => {
    await page.click(`td[data-table="Syslog"][data-day="${day(1)}"]`);
    const heading = await page.textContent("#details h2");
    expect(heading).toBe(`Syslog · ${day(1)} · failed`);
    const rows = await page.$$eval("#details tbody tr", (trs) =>
      trs.map((tr) => [tr.getAttribute("data-state"), ...Array.from(tr.children, (td) => td.textContent ?? "")]),
    );
    expect(rows.map((r) => r.slice(0, 3))).toEqual([
      ["failed", "00:00–06:00", "✗ failed"],
      ["exported", "06:00–12:00", "✓ exported"],
      ["exported", "12:00–18:00", "✓ exported"],
      ["exported", "18:00–24:00", "✓ exported"],
    ]);
    expect(rows[0]?.[6]).toMatch(/PartialFailure/);
    expect(rows[1]?.[6]).toBe("");
    const stored = manifestsOf(await manifests(stack.state, "Syslog"), day(1)).sort((a, b) => a.window.start.localeCompare(b.window.start));
    expect(rows.slice(1).map((r) => Number(r[3]?.replace(/,/g, "")))).toEqual(stored.map((m) => m.exportedRows));
  });

  it("moves between cells with the arrow keys, Home and End, and opens a day with Enter", async () => {
    await page.goto(page.url());
    await page.keyboard.press("Tab");
    const focused = (): Promise<string> =>
      page.evaluate(() => `${document.activeElement?.getAttribute("data-table") ?? "?"} ${document.activeElement?.getAttribute("data-day") ?? "?"}`);
    expect(await focused()).toBe(`Heartbeat ${day(0)}`);
    await page.keyboard.press("ArrowRight");
    expect(await focused()).toBe(`Heartbeat ${day(1)}`);
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toBe(`Syslog ${day(1)}`);
    await page.keyboard.press("End");
    expect(await focused()).toBe(`Syslog ${day(4)}`);
    await page.keyboard.press("ArrowRight");
    expect(await focused()).toBe(`Syslog ${day(4)}`);
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    expect(await page.textContent("#details h2")).toBe(`Syslog · ${day(1)} · failed`);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press(" ");
    expect(await page.textContent("#details h2")).toBe(`Heartbeat · ${day(1)} · complete`);
    expect(await page.$$eval("td.cell[tabindex='0']", (tds) => tds.length)).toBe(1);
  });

  it("tells the five states apart by colour with each common colour-vision deficiency, and by a glyph without colour", async () => {
    const legend = await page.$$eval(".legend .cell", (spans) =>
      spans.map((s) => ({ colour: getComputedStyle(s).backgroundColor, glyph: s.textContent ?? "" })),
    );
    expect(legend).toHaveLength(5);
    expect(new Set(legend.map((l) => l.glyph)).size).toBe(5);
    const colours = legend.map((l) => parseCssRgb(l.colour));
    for (const deficiency of ["none", "protanopia", "deuteranopia", "tritanopia"] as const satisfies readonly Deficiency[]) {
      const seen = colours.map((c) => simulate(c, deficiency));
      const closest = Math.min(...seen.flatMap((a, i) => seen.slice(i + 1).map((b) => distance(a, b))));
      expect(closest, deficiency).toBeGreaterThan(40);
    }
  });

  it("runs under its own Content-Security-Policy with no error and loads nothing else", async () => {
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    const response = await page.goto(page.url());
    expect(response?.headers()["content-security-policy"]).toMatch(/^default-src 'none'; connect-src 'self'; style-src 'sha256-/);
    await page.click(`td[data-table="Heartbeat"][data-day="${day(0)}"]`);
    expect(await page.textContent("#details h2")).toBe(`Heartbeat · ${day(0)} · complete`);
    expect(requests).toEqual([page.url()]);
    expect(browserErrors).toEqual([]);
    const screenshot = process.env.COVERAGE_SCREENSHOT;
    if (screenshot !== undefined) {
      await page.click(`td[data-table="Syslog"][data-day="${day(1)}"]`);
      await mkdir(dirname(resolve(screenshot)), { recursive: true });
      await writeFile(resolve(screenshot), await page.screenshot({ fullPage: true }));
    }
  });
});
