import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TableCoverage, WindowStatus } from "../../../shared/engine/status.js";
import { coveragePage } from "../../../shared/report/coverage-page.js";
import { dayState } from "../../../shared/report/day-state.js";

const DAY = Date.parse("2026-11-01T00:00:00Z");
const HOUR = 3_600_000;

function windows(day: number, states: readonly WindowStatus["state"][], error?: string): WindowStatus[] {
  return states.map((state, i) => ({
    start: new Date(DAY + day * 86_400_000 + i * 6 * HOUR).toISOString(),
    end: new Date(DAY + day * 86_400_000 + (i + 1) * 6 * HOUR).toISOString(),
    state,
    ...(state === "exported" ? { rows: 10 + i, bytes: 2048, runId: "plan-1" } : {}),
    ...(state === "failed" ? { runId: "bf-2", error } : {}),
  }));
}

function table(name: string, list: WindowStatus[]): TableCoverage {
  const counts = { exported: 0, "in-progress": 0, failed: 0, missing: 0 };
  for (const w of list) counts[w.state] += 1;
  return { table: name, counts, rows: list.reduce((n, w) => n + (w.rows ?? 0), 0), bytes: 0, newestExported: null, lagSeconds: 1800, windows: list };
}

const HOSTILE = 'QueryError: </script><script>alert(1)</script> & "quoted"';

const tables = [
  table("AppRequests", [
    ...windows(0, ["exported", "exported", "exported", "exported"]),
    ...windows(1, ["exported", "failed", "missing", "missing"], HOSTILE),
    ...windows(2, ["exported", "missing", "missing", "missing"]),
  ]),
  table("Syslog", [
    ...windows(0, ["missing", "missing", "missing", "missing"]),
    ...windows(1, ["exported", "in-progress", "in-progress", "missing"]),
    ...windows(2, ["in-progress", "missing", "missing", "missing"]),
  ]),
];

const page = coveragePage({ title: "Coverage", generatedAt: "2026-11-03T10:00:00.000Z", sections: [{ name: "Azure", tables }] });

function cellStates(html: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of html.matchAll(/data-table="([^"]+)" data-day="([^"]+)" data-state="([^"]+)"/g)) found.set(`${m[1]} ${m[2]}`, m[3] ?? "");
  return found;
}

describe("coverage page", () => {
  it("gives each table and day the state of its windows", () => {
    expect(Object.fromEntries(cellStates(page.html))).toEqual({
      "AppRequests 2026-11-01": "complete",
      "AppRequests 2026-11-02": "failed",
      "AppRequests 2026-11-03": "partial",
      "Syslog 2026-11-01": "missing",
      "Syslog 2026-11-02": "in-progress",
      "Syslog 2026-11-03": "in-progress",
    });
  });

  it("states a day's counts, rows and lag in its hover text", () => {
    expect(page.html).toContain(
      'title="AppRequests 2026-11-01: complete; 4 windows (4 exported, 0 in progress, 0 failed, 0 missing); 46 rows; 8.0 KiB; table lag 30 min"',
    );
  });

  it("loads nothing from elsewhere and allows only its own style and script", () => {
    expect(page.html).not.toMatch(/\b(src|href)=/i);
    expect(page.html).not.toMatch(/@import|url\(/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.html)?.[1] ?? "";
    const scripts = [...page.html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
    expect(scripts).toHaveLength(1);
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(page.contentSecurityPolicy).toBe(
      `default-src 'none'; style-src ${hash(style)}; script-src ${hash(scripts[0] ?? "")}; base-uri 'none'; form-action 'none'`,
    );
    expect(page.html).toContain(`content="${page.contentSecurityPolicy}"`);
  });

  it("keeps an error's text as data: it cannot close the script element or add markup", () => {
    expect(page.html.match(/<\/script>/g)).toHaveLength(2);
    expect(page.html).not.toContain("<script>alert");
    const data = /<script type="application\/json" id="coverage-data">([\s\S]*?)<\/script>/.exec(page.html)?.[1] ?? "";
    expect((JSON.parse(data) as { strings: string[] }).strings).toContain(HOSTILE);
  });

  it("escapes names in markup", () => {
    const odd = coveragePage({ title: "<b>x</b>", generatedAt: "now", sections: [{ name: "A & B", tables: [] }] });
    expect(odd.html).toContain("<title>&lt;b&gt;x&lt;/b&gt;</title>");
    expect(odd.html).toContain("A &amp; B");
  });
});

describe("dayState", () => {
  it("puts failed over complete over in progress over partial over missing", () => {
    expect(dayState(windows(0, ["exported", "failed"]))).toBe("failed");
    expect(dayState(windows(0, ["exported", "exported"]))).toBe("complete");
    expect(dayState(windows(0, ["exported", "in-progress"]))).toBe("in-progress");
    expect(dayState(windows(0, ["exported", "missing"]))).toBe("partial");
    expect(dayState(windows(0, ["missing", "missing"]))).toBe("missing");
    expect(dayState([])).toBeUndefined();
  });
});

describe("coverage page re-run action", () => {
  it("offers the re-run action only with `rerun` (an operator) and only in the sections the backfill API serves; only then may the page connect, to its own origin", () => {
    expect(page.contentSecurityPolicy).not.toContain("connect-src");
    expect(page.html).not.toMatch(/<section[^>]*data-rerun/);
    expect(page.html).toContain('"rerun":null');
    const operator = coveragePage({
      title: "Coverage",
      generatedAt: "2026-11-03T10:00:00.000Z",
      sections: [
        { name: "Azure", tables, rerun: true },
        { name: "AWS", tables },
      ],
      rerun: { backfillUrl: "/api/backfill" },
    });
    expect(operator.contentSecurityPolicy).toMatch(/^default-src 'none'; connect-src 'self'; style-src 'sha256-/);
    expect([...operator.html.matchAll(/<section aria-labelledby="(section-\d)"( data-rerun="on")?>/g)].map((m) => `${m[1]}${m[2] ?? ""}`)).toEqual([
      'section-0 data-rerun="on"',
      "section-1",
    ]);
    expect(operator.html).toContain('"rerun":"/api/backfill"');
    const reader = coveragePage({ title: "Coverage", generatedAt: "2026-11-03T10:00:00.000Z", sections: [{ name: "Azure", tables, rerun: true }] });
    expect(reader.html).not.toMatch(/<section[^>]*data-rerun/);
  });
});
