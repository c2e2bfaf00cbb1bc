// @azure/functions is CommonJS; Node's ESM loader exposes HttpRequest only on the default export.
import azureFunctions, { type HttpResponseInit } from "@azure/functions";
import { describe, expect, it } from "vitest";
import { createBackfillHandler } from "../../../functions/backfill.js";
import { createCoverageHandler } from "../../../functions/coverage.js";
import { createStatusHandler } from "../../../functions/status.js";
import { DAY_MS } from "../../../shared/core/time.js";
import { capturedContext, memoryAzure } from "../../fuzz/memory-azure.js";
import { clientPrincipalHeader } from "../../helpers/client-principal.js";

const NOW = Date.UTC(2026, 10, 22, 3, 17);
const DAY0 = Date.UTC(2026, 10, 1);
const BODY = JSON.stringify({ tables: ["Heartbeat"], start: new Date(DAY0).toISOString(), end: new Date(DAY0 + DAY_MS).toISOString() });
type Endpoint = "status" | "coverage" | "backfill";

async function call(
  endpoint: Endpoint,
  headers: Readonly<Record<string, string>>,
  settings: Readonly<Record<string, string>> = {},
  signInInFront = true,
): Promise<HttpResponseInit> {
  const trusted = (): boolean => signInInFront;
  const azure = memoryAzure({ now: () => NOW }, { LOGEXPORT_TABLES: "Heartbeat", ...settings });
  const url = `http://localhost:7071/api/${endpoint}`;
  if (endpoint === "backfill")
    return createBackfillHandler(() => azure.exporter, trusted)(
      new azureFunctions.HttpRequest({ method: "POST", url, headers: { ...headers, "content-type": "application/json" }, body: { string: BODY } }),
      capturedContext("backfill").context,
    );
  const handler = endpoint === "status" ? createStatusHandler(() => azure.exporter, trusted) : createCoverageHandler(() => azure.exporter, trusted);
  return handler(new azureFunctions.HttpRequest({ method: "GET", url, headers: { ...headers } }));
}

const as = (...roles: string[]) => ({ "x-ms-client-principal": clientPrincipalHeader(roles, "someone@example.com") });
const OK: Readonly<Record<Endpoint, number>> = { status: 200, coverage: 200, backfill: 202 };

describe("app roles from the client-principal header", () => {
  it.each([
    ["LogExport.Read", "status", 200],
    ["LogExport.Read", "coverage", 200],
    ["LogExport.Read", "backfill", 403],
    ["LogExport.Operate", "status", 200],
    ["LogExport.Operate", "coverage", 200],
    ["LogExport.Operate", "backfill", 202],
    ["Another.Role", "status", 403],
    ["Another.Role", "backfill", 403],
  ] as const)("a caller with %s calling %s gets %i", async (role, endpoint, status) => {
    const response = await call(endpoint, as(role));
    expect(response.status).toBe(status);
    if (status === 403) {
      const needed = endpoint === "backfill" ? "LogExport.Operate" : "LogExport.Read";
      expect(response.jsonBody).toMatchObject({
        type: "https://logexport.dev/problems/missing-role",
        status: 403,
        title: `Missing role ${needed}`,
        detail: `someone@example.com does not have the app role ${needed} (has ${role}); an owner of the app registration grants it`,
      });
    }
  });

  it.each(["status", "coverage", "backfill"] as const)(
    "%s without a signed-in caller, or with an unreadable principal, is 401 naming the role",
    async (endpoint) => {
      const attempts: Readonly<Record<string, string>>[] = [
        {},
        { "x-ms-client-principal": "not base64 json" },
        { "x-ms-client-principal": Buffer.from("{}").toString("base64") },
      ];
      for (const headers of attempts) {
        const response = await call(endpoint, headers);
        expect(response.status).toBe(401);
        expect(response.headers).toMatchObject({ "content-type": "application/problem+json" });
        expect(response.jsonBody).toMatchObject({
          type: "https://logexport.dev/problems/unauthenticated",
          status: 401,
          detail: expect.stringContaining(endpoint === "backfill" ? "LogExport.Operate" : "LogExport.Read"),
        });
      }
    },
  );

  it.each(["status", "coverage", "backfill"] as const)(
    "with LOGEXPORT_FUNCTION_KEYS=on, %s takes a call with no principal (the host checked its key), but still checks a signed-in caller's roles",
    async (endpoint) => {
      expect((await call(endpoint, {}, { LOGEXPORT_FUNCTION_KEYS: "on" })).status).toBe(OK[endpoint]);
      expect((await call(endpoint, as(), { LOGEXPORT_FUNCTION_KEYS: "on" })).status).toBe(403);
      expect((await call(endpoint, { "x-ms-client-principal": "garbage" }, { LOGEXPORT_FUNCTION_KEYS: "on" })).status).toBe(401);
    },
  );

  it.each(["status", "coverage", "backfill"] as const)(
    "without App Service authentication in front, %s ignores a principal header (anyone could send one): 401, or a key holder's call with keys on",
    async (endpoint) => {
      const forged = await call(endpoint, as("LogExport.Operate"), {}, false);
      expect(forged.status).toBe(401);
      expect(forged.jsonBody).toMatchObject({
        type: "https://logexport.dev/problems/unauthenticated",
        detail: expect.stringContaining("App Service authentication is off"),
      });
      expect((await call(endpoint, as("Another.Role"), { LOGEXPORT_FUNCTION_KEYS: "on" }, false)).status).toBe(OK[endpoint]);
    },
  );

  it("a browser without a session asking for the coverage page is redirected to sign in and back, a signed-in one without the role gets the 403 as a page; API clients and status are not", async () => {
    const azure = memoryAzure({ now: () => NOW }, { LOGEXPORT_TABLES: "Heartbeat" });
    const page = (headers: Readonly<Record<string, string>>, trusted = true) =>
      createCoverageHandler(
        () => azure.exporter,
        () => trusted,
      )(
        new azureFunctions.HttpRequest({
          method: "GET",
          url: "https://logexport.example.net/api/coverage?table=Heartbeat&start=2026-11-01",
          headers: { ...headers },
        }),
      );
    const browser = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
    const redirected = await page(browser);
    expect(redirected.status).toBe(302);
    expect(redirected.headers).toMatchObject({
      location: "/.auth/login/aad?post_login_redirect_uri=%2Fapi%2Fcoverage%3Ftable%3DHeartbeat%26start%3D2026-11-01",
    });
    expect(new URLSearchParams((redirected.headers as Record<string, string>).location?.split("?")[1]).get("post_login_redirect_uri")).toBe(
      "/api/coverage?table=Heartbeat&start=2026-11-01",
    );
    for (const accept of ["application/json", "*/*", "application/problem+json, text/plain"]) {
      const api = await page({ accept });
      expect(api.status, accept).toBe(401);
      expect(api.jsonBody).toMatchObject({ type: "https://logexport.dev/problems/unauthenticated" });
    }
    expect((await page({ ...browser, "x-ms-client-principal": "garbage" })).status).toBe(302);
    const missing = await page({ ...browser, ...as("Another.Role") });
    expect(missing.status).toBe(403);
    // A person without the role reads why, on a page that runs nothing; the caller's own claims are escaped.
    expect(missing.headers).toMatchObject({ "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'" });
    expect(missing.body).toMatch(/<h1>Missing role LogExport\.Read<\/h1>/);
    expect(missing.body).toMatch(
      /someone@example\.com does not have the app role LogExport\.Read \(has Another\.Role\); an owner of the app registration grants it/,
    );
    const hostile = await page({ ...browser, ...as("<script>alert(1)</script>") });
    expect(hostile.body).not.toContain("<script>");
    expect(hostile.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    // API clients keep the problem as JSON.
    expect((await page({ accept: "application/json", ...as("Another.Role") })).jsonBody).toMatchObject({ type: "https://logexport.dev/problems/missing-role" });
    // Without App Service authentication there is no /.auth/login to send anyone to.
    expect((await page(browser, false)).status).toBe(401);
    expect((await call("status", browser)).status).toBe(401);
  });
});
