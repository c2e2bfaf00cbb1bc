import { createServer, type IncomingMessage } from "node:http";
import { text } from "node:stream/consumers";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DAY_MS, HOUR_MS } from "../../shared/core/time.js";
import type { RunRecord } from "../../shared/engine/runs.js";
import { createAzureStack, type AzureStack, type HttpResult } from "../helpers/azure-stack.js";
import { clientPrincipalHeader } from "../helpers/client-principal.js";
import { startFakeLogAnalytics, type FakeLogAnalytics } from "../helpers/fake-log-analytics.js";
import { listenOnLoopback, type Listening } from "../helpers/loopback-server.js";
import { SyntheticTable } from "../helpers/synthetic-table.js";
import { launchChromium } from "./chromium.js";

const DAY0 = Date.UTC(2026, 9, 1);
const NOW = DAY0 + 3 * DAY_MS + 3 * HOUR_MS;
const WINDOW_MS = 6 * HOUR_MS;
const iso = (ms: number): string => new Date(ms).toISOString();
const day = (n: number): string => iso(DAY0 + n * DAY_MS).slice(0, 10);

let fake: FakeLogAnalytics;
let stack: AzureStack;
let server: Listening;
let browser: Browser;
let page: Page;
/** The role the test's stand-in for App Service authentication signs the browser's requests in with. */
let role: "LogExport.Read" | "LogExport.Operate" = "LogExport.Operate";
const browserErrors: string[] = [];
const requested: string[] = [];
/** The run the operator's re-run started. */
let active: string | undefined;

const SESSION_COOKIE = "AppServiceAuthSession";

/**
 * Routes the browser's requests to the real handlers as App Service authentication would: a request with
 * its session cookie gets the caller's principal header, and `/.auth/login/aad` signs in (sets the cookie)
 * and goes back to `post_login_redirect_uri`.
 */
async function route(request: IncomingMessage, url: URL): Promise<HttpResult | undefined> {
  if (url.pathname === "/.auth/login/aad") {
    return {
      status: 302,
      headers: {
        "set-cookie": `${SESSION_COOKIE}=signed-in; Path=/; HttpOnly; SameSite=Lax`,
        location: url.searchParams.get("post_login_redirect_uri") ?? "/",
      },
      body: "",
    };
  }
  const signedIn = (request.headers.cookie ?? "").includes(`${SESSION_COOKIE}=`);
  const headers: Record<string, string> = {
    accept: request.headers.accept ?? "",
    ...(signedIn ? { "x-ms-client-principal": clientPrincipalHeader([role], "someone@example.com") } : {}),
  };
  if (url.pathname === "/api/coverage" && request.method === "GET") return stack.coverage(Object.fromEntries(url.searchParams), headers);
  if (url.pathname === "/api/backfill" && request.method === "POST") return stack.backfill(await text(request), request.headers["content-type"] ?? "", headers);
  return undefined;
}

beforeAll(async () => {
  const syslog = new SyntheticTable({
    name: "Syslog",
    columns: [
      { name: "TimeGenerated", type: "datetime" },
      { name: "Computer", type: "string" },
    ],
    bytesPerRow: 60,
    rowsInMinute: (m) => (m >= DAY0 && m < NOW ? 2 : 0),
  });
  fake = await startFakeLogAnalytics({ tables: [syslog] });
  stack = await createAzureStack({
    connectionString: inject("azuriteConnectionString"),
    fake,
    tables: ["Syslog"],
    clock: { now: () => NOW },
    settings: { LOGEXPORT_WINDOW_MINUTES: "360", LOGEXPORT_WORKSPACE_RETENTION_DAYS: "90", LOGEXPORT_PART_ATTEMPTS: "1" },
  });
  // Day 0 exported; day 1's first window failed for good, its other three exported.
  expect((await stack.backfill({ tables: ["Syslog"], start: iso(DAY0), end: iso(DAY0 + DAY_MS) })).status).toBe(202);
  await stack.drain();
  fake.inject({ on: "rows", kind: "partialFailure", times: 5 });
  expect((await stack.backfill({ tables: ["Syslog"], start: iso(DAY0 + DAY_MS), end: iso(DAY0 + DAY_MS + WINDOW_MS) })).status).toBe(202);
  await stack.drain({ batchSize: 1 });
  expect((await stack.backfill({ tables: ["Syslog"], start: iso(DAY0 + DAY_MS + WINDOW_MS), end: iso(DAY0 + 2 * DAY_MS) })).status).toBe(202);
  await stack.drain();

  server = await listenOnLoopback(
    createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://localhost");
      route(request, url).then(
        (result) => {
          if (result === undefined) response.writeHead(404).end();
          else response.writeHead(result.status, result.headers).end(typeof result.body === "string" ? result.body : JSON.stringify(result.body));
        },
        (error: unknown) => response.writeHead(500).end(String(error)),
      );
    }),
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  page.on("console", (message) => {
    if (message.type() === "error") browserErrors.push(message.text());
  });
  page.on("pageerror", (error) => browserErrors.push(error.message));
  page.on("request", (request) => requested.push(`${request.method()} ${request.url()}`));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

const pageUrl = (): string => `${server.url}/api/coverage?start=${iso(DAY0)}&end=${iso(DAY0 + 3 * DAY_MS)}`;

async function open(cellDay: string): Promise<void> {
  const response = await page.goto(pageUrl());
  expect(response?.status()).toBe(200);
  await page.click(`td[data-table="Syslog"][data-day="${cellDay}"]`);
}

async function runs(): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (const name of await stack.list(stack.state, "runs/"))
    records.push(JSON.parse((await stack.state.getBlobClient(name).downloadToBuffer()).toString("utf8")) as RunRecord);
  return records;
}

async function result(): Promise<{ state: string | null; text: string }> {
  await page.waitForSelector(".rerun-result:not([data-result='pending'])[data-result]");
  return page.$eval(".rerun-result", (p) => ({ state: p.getAttribute("data-result"), text: p.textContent ?? "" }));
}

describe("the coverage page's re-run action in Chromium", () => {
  it("sends a browser without a session to sign in and back to the page it asked for; an API client gets the 401", async () => {
    requested.length = 0;
    const response = await page.goto(pageUrl());
    expect(response?.status()).toBe(200);
    expect(decodeURIComponent(page.url())).toBe(pageUrl());
    // The function sees the query as the test server re-encodes it (`:` as %3A): the same page.
    const back = `/api/coverage?${new URL(pageUrl()).searchParams.toString()}`;
    expect(requested.map((r) => decodeURIComponent(r))).toEqual([
      `GET ${pageUrl()}`,
      `GET ${server.url}/.auth/login/aad?post_login_redirect_uri=${back}`,
      `GET ${pageUrl()}`,
    ]);
    expect(await page.$$("td.cell[data-cell]")).toHaveLength(3);
    const api = await fetch(pageUrl(), { headers: { accept: "application/json" } });
    expect([api.status, api.headers.get("content-type")]).toEqual([401, "application/problem+json"]);
  });

  it("is not offered to a reader: no button, and the page may not connect anywhere", async () => {
    role = "LogExport.Read";
    const response = await page.goto(pageUrl());
    expect(response?.headers()["content-security-policy"]).not.toContain("connect-src");
    await page.click(`td[data-table="Syslog"][data-day="${day(1)}"]`);
    expect(await page.textContent("#details h2")).toBe(`Syslog · ${day(1)} · failed`);
    expect(await page.$$("button.rerun")).toHaveLength(0);
    expect(await page.$$eval("#details thead th", (ths) => ths.map((th) => th.textContent))).not.toContain("action");
  });

  it("lets an operator re-run a failed window: one same-origin POST, 202 shown with its run, the run covering exactly that window", async () => {
    role = "LogExport.Operate";
    await open(day(1));
    expect(await page.$$eval("#details thead th", (ths) => ths.map((th) => th.textContent))).toEqual([
      "window (UTC)",
      "state",
      "rows",
      "bytes",
      "run",
      "last error",
      "action",
    ]);
    const buttons = await page.$$eval("button.rerun", (bs) =>
      bs.map((b) => `${b.textContent} ${b.getAttribute("data-start")} ${b.getAttribute("data-end")} ${b.getAttribute("data-force")}`),
    );
    expect(buttons).toEqual([
      `re-run day ${iso(DAY0 + DAY_MS)} ${iso(DAY0 + 2 * DAY_MS)} false`,
      ...[0, 1, 2, 3].map((i) => `re-run ${iso(DAY0 + DAY_MS + i * WINDOW_MS)} ${iso(DAY0 + DAY_MS + (i + 1) * WINDOW_MS)} ${i === 0 ? "false" : "true"}`),
    ]);
    const before = new Set((await runs()).map((r) => r.runId));
    requested.length = 0;
    await page.click("#details tbody tr:first-child button.rerun");
    const shown = await result();
    const added = (await runs()).filter((r) => !before.has(r.runId));
    active = added[0]?.runId;
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ tables: ["Syslog"], start: iso(DAY0 + DAY_MS), end: iso(DAY0 + DAY_MS + WINDOW_MS), force: false, windows: 1 });
    expect(shown).toEqual({
      state: "accepted",
      text: expect.stringContaining(`Accepted: run ${added[0]?.runId} re-runs Syslog ${day(1)} 00:00–06:00, 1 window(s)`),
    });
    expect(requested).toEqual([`POST ${server.url}/api/backfill`]);
  });

  it("shows the problem when the backfill is refused: a second re-run on the busy table is a 429 naming the run in the way", async () => {
    await page.click("#details tbody tr:nth-child(2) button.rerun");
    const shown = await result();
    expect(shown.state).toBe("refused");
    expect(shown.text).toContain("Refused (429 A run is in progress on this table): table Syslog is being backfilled by run");
    expect(shown.text).toContain(`[tables: Syslog has an active run, ${active}]`);
    expect(await page.$$eval("button.rerun", (bs) => bs.every((b) => !b.hasAttribute("disabled")))).toBe(true);
  });

  it("once the re-run is done the day is complete; re-running the complete day forces its four windows, and nothing broke the page's policy", async () => {
    await stack.drain();
    await open(day(1));
    expect(await page.getAttribute(`td[data-table="Syslog"][data-day="${day(1)}"]`, "data-state")).toBe("complete");
    expect(await page.getAttribute("#details p button.rerun", "data-force")).toBe("true");
    const before = new Set((await runs()).map((r) => r.runId));
    await page.click("#details p button.rerun");
    expect(await result()).toEqual({ state: "accepted", text: expect.stringContaining(`re-runs Syslog ${day(1)} 00:00–24:00 (force), 4 window(s)`) });
    expect((await runs()).filter((r) => !before.has(r.runId))).toHaveLength(1);
    expect((await runs()).find((r) => !before.has(r.runId))).toMatchObject({ start: iso(DAY0 + DAY_MS), end: iso(DAY0 + 2 * DAY_MS), force: true, windows: 4 });
    // Chromium logs the refused POST itself; nothing else (no policy violation, no script error).
    expect(browserErrors).toEqual(["Failed to load resource: the server responded with a status of 429 (Too Many Requests)"]);
  });
});
