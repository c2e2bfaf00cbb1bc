import { createHash } from "node:crypto";
import { DAY_MS, MINUTE_MS } from "../core/time.js";
import type { TableCoverage, WindowState, WindowStatus } from "../engine/status.js";
import { formatBytes } from "./bytes.js";
import { COVERAGE_PAGE_SCRIPT, COVERAGE_PAGE_STYLE } from "./coverage-page-assets.js";
import { DAY_STATE_LABELS, DAY_STATES, dayState, windowsByDay, type DayState } from "./day-state.js";
import { escapeHtml } from "./html.js";

/** One cloud's export: its tables' coverage over a range. */
export interface CoverageSection {
  /** A heading, e.g. "Azure Log Analytics". */
  readonly name: string;
  readonly tables: readonly TableCoverage[];
  /** The backfill API the page POSTs to re-runs this section's windows (the export behind the serving function). */
  readonly rerun?: boolean;
}

export interface CoveragePageInput {
  readonly title: string;
  /** When the coverage was read (ISO instant), shown on the page. */
  readonly generatedAt: string;
  readonly sections: readonly CoverageSection[];
  /** Only for a caller who may re-run windows (LogExport.Operate): the same-origin URL the page POSTs backfills to. */
  readonly rerun?: { readonly backfillUrl: string };
}

export interface CoveragePage {
  readonly html: string;
  /** The policy the page also carries in a meta element: only its own inline style and script, by hash. */
  readonly contentSecurityPolicy: string;
}

/** A window's state as one letter in the embedded data; the page's script reads the same letters. */
const STATE_CODES: Readonly<Record<WindowState, string>> = { exported: "E", "in-progress": "P", failed: "F", missing: "M" };

/** The page's shape cue a state: the terminal's block glyphs would hide the cell's colour. */
export const PAGE_MARKS: Readonly<Record<DayState, string>> = { complete: "✓", partial: "◐", "in-progress": "…", failed: "✗", missing: "·" };

/** A day's windows as the page's script lists them on click: parallel arrays, strings by index into the page's string table. */
interface CellData {
  /** First window's start, minutes into the day. */
  readonly f: number;
  /** Window size in minutes. */
  readonly m: number;
  /** One STATE_CODES letter a window. */
  readonly s: string;
  readonly r: readonly number[];
  readonly b: readonly number[];
  /** Run id per window, an index into the string table, or -1. */
  readonly u: readonly number[];
  /** Last error per window, an index into the string table, or -1; left out when no window of the day has one. */
  readonly e?: readonly number[];
}

/** JSON safe inside a script element: no `</script>` or comment opener can appear in it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

function dayLabel(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
}

function formatLag(seconds: number | null): string {
  if (seconds === null) return "no export yet";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

class StringTable {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  of(value: string | undefined): number {
    if (value === undefined || value === "") return -1;
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(value, i);
    }
    return i;
  }
}

function cellData(windows: readonly WindowStatus[], dayMs: number, strings: StringTable): CellData {
  const first = windows[0];
  const startMs = first === undefined ? dayMs : Date.parse(first.start);
  return {
    f: (startMs - dayMs) / MINUTE_MS,
    m: first === undefined ? 0 : (Date.parse(first.end) - startMs) / MINUTE_MS,
    s: windows.map((w) => STATE_CODES[w.state]).join(""),
    r: windows.map((w) => w.rows ?? 0),
    b: windows.map((w) => w.bytes ?? 0),
    u: windows.map((w) => strings.of(w.runId)),
    ...(windows.some((w) => w.error !== undefined) ? { e: windows.map((w) => strings.of(w.error)) } : {}),
  };
}

const THOUSANDS = new Intl.NumberFormat("en-US");

function hoverText(table: TableCoverage, dayMs: number, state: DayState, windows: readonly WindowStatus[]): string {
  const count: Record<WindowState, number> = { exported: 0, "in-progress": 0, failed: 0, missing: 0 };
  let rows = 0;
  let bytes = 0;
  for (const w of windows) {
    count[w.state] += 1;
    rows += w.rows ?? 0;
    bytes += w.bytes ?? 0;
  }
  return `${table.table} ${dayLabel(dayMs)}: ${DAY_STATE_LABELS[state]}; ${windows.length} windows (${count.exported} exported, ${count["in-progress"]} in progress, ${count.failed} failed, ${count.missing} missing); ${THOUSANDS.format(rows)} rows; ${formatBytes(bytes)}; table lag ${formatLag(table.lagSeconds)}`;
}

function dayAxis(sections: readonly CoverageSection[]): number[] {
  const days = new Set<number>();
  for (const section of sections) for (const table of section.tables) for (const day of windowsByDay(table).keys()) days.add(day);
  if (days.size === 0) return [];
  const first = Math.min(...days);
  const last = Math.max(...days);
  return Array.from({ length: (last - first) / DAY_MS + 1 }, (_, i) => first + i * DAY_MS);
}

function sectionHtml(section: CoverageSection, sectionIndex: number, days: readonly number[], cells: CellData[], strings: StringTable, rerun: boolean): string {
  const head = days.map((d) => `<th scope="col" title="${dayLabel(d)}"><span>${dayLabel(d).slice(5)}</span></th>`).join("");
  const rows = section.tables.map((table) => {
    const byDay = windowsByDay(table);
    const tds = days.map((dayMs) => {
      const windows = byDay.get(dayMs) ?? [];
      const state = dayState(windows);
      if (state === undefined)
        return `<td class="cell s-none" role="gridcell" tabindex="-1" aria-label="${escapeHtml(`${table.table} ${dayLabel(dayMs)}: outside the range`)}"></td>`;
      const hover = escapeHtml(hoverText(table, dayMs, state, windows));
      cells.push(cellData(windows, dayMs, strings));
      return `<td class="cell s-${state}" role="gridcell" tabindex="-1" data-cell="${cells.length - 1}" data-table="${escapeHtml(table.table)}" data-day="${dayLabel(dayMs)}" data-state="${state}" title="${hover}">${PAGE_MARKS[state]}</td>`;
    });
    const lag = `lag ${formatLag(table.lagSeconds)}`;
    return `<tr><th scope="row" class="name">${escapeHtml(table.table)}<small>${escapeHtml(lag)}</small></th>${tds.join("")}</tr>`;
  });
  const id = `section-${sectionIndex}`;
  return `<section aria-labelledby="${id}"${rerun && section.rerun === true ? ' data-rerun="on"' : ""}><h2 id="${id}">${escapeHtml(section.name)}</h2><div class="scroll"><table class="heatmap" role="grid" aria-labelledby="${id}"><thead><tr><th scope="col" class="name">table</th>${head}</tr></thead><tbody>${rows.join("")}</tbody></table></div></section>`;
}

function legendHtml(): string {
  const items = DAY_STATES.map((s) => `<li><span class="cell s-${s}" aria-hidden="true">${PAGE_MARKS[s]}</span> ${DAY_STATE_LABELS[s]}</li>`).join("");
  return `<ul class="legend" aria-label="legend">${items}</ul>`;
}

/**
 * The coverage heatmap as one self-contained HTML page (inline style and script, no external resource):
 * a row a table, a cell a UTC day coloured and marked by its state, hover for counts, click (or Enter)
 * for that day's windows with their runs and last errors; for an operator (`rerun`), a re-run button per
 * window and per day that POSTs a backfill to the same origin and shows its answer.
 */
export function coveragePage(input: CoveragePageInput): CoveragePage {
  const days = dayAxis(input.sections);
  const cells: CellData[] = [];
  const strings = new StringTable();
  const body = input.sections.map((section, i) => sectionHtml(section, i, days, cells, strings, input.rerun !== undefined)).join("");
  // The re-run action's fetch is the one request the page may make, and only to its own origin.
  const connect = input.rerun === undefined ? "" : " connect-src 'self';";
  const contentSecurityPolicy = `default-src 'none';${connect} style-src ${sha256(COVERAGE_PAGE_STYLE)}; script-src ${sha256(COVERAGE_PAGE_SCRIPT)}; base-uri 'none'; form-action 'none'`;
  const data = scriptJson({ cells, strings: strings.values, rerun: input.rerun?.backfillUrl ?? null });
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy}">
<title>${escapeHtml(input.title)}</title>
<style>${COVERAGE_PAGE_STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(input.title)}</h1><p>Read ${escapeHtml(input.generatedAt)} from the manifests and the ledger. One cell per table and UTC day; hover for counts, click or press Enter for the day's windows; arrow keys move between cells.</p>${legendHtml()}</header>
<main>${body || "<p>No windows in the range.</p>"}
<section id="details" aria-live="polite" tabindex="-1"><h2>Windows</h2><p>Select a day to list its windows.</p></section></main>
<script type="application/json" id="coverage-data">${data}</script>
<script>${COVERAGE_PAGE_SCRIPT}</script>
</body>
</html>
`;
  return { html, contentSecurityPolicy };
}
