import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { coveragePage } from "../shared/report/coverage-page.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { parseCoverageQuery } from "./coverage-query.js";
import { problem, problemPage } from "./problem.js";
import { APP_ROLES, refuseUnlessRole, signedInWithRole } from "./roles.js";
import { platformSignInEnabled } from "./runtime.js";
import { signInRedirect, wantsHtml } from "./sign-in.js";

/** GET /api/coverage?table=&start=&end=&windowMinutes=: the coverage heatmap as one self-contained HTML page (30 days by default). `principalTrusted`: whether App Service authentication is in front (tests say so). */
export function createCoverageHandler(exporter: () => AzureExport, principalTrusted: () => boolean = platformSignInEnabled) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const { settings, clock, coverage } = exporter();
    const trusted = principalTrusted();
    const refused = refuseUnlessRole(request, APP_ROLES.read, settings.functionKeys, trusted);
    // A browser without a session is sent to sign in (App Service lets unauthenticated requests through to the app); API clients get the 401.
    if (refused?.status === 401 && trusted && wantsHtml(request)) return signInRedirect(request);
    // A signed-in person without the role reads why on a page, not as JSON.
    if (refused?.status === 403 && wantsHtml(request)) return problemPage(refused);
    if (refused !== undefined) return refused;
    const nowMs = clock.now();
    const parsed = parseCoverageQuery(request, settings, nowMs, 30);
    if (!parsed.ok)
      return problem(400, "invalid-coverage-query", "Invalid coverage query", `${parsed.problems.length} parameter(s) are invalid`, parsed.problems);
    const tables = await coverage(parsed.query);
    // Operators get the re-run action: the page POSTs to this app's backfill function, beside this one.
    const rerun = signedInWithRole(request, APP_ROLES.operate, trusted) ? { backfillUrl: new URL("backfill", request.url).pathname } : undefined;
    const page = coveragePage({
      title: "Log export coverage",
      generatedAt: new Date(nowMs).toISOString(),
      sections: [{ name: `Azure Log Analytics (${settings.windowMs / 60_000}-minute windows)`, tables, rerun: true }],
      rerun,
    });
    return {
      status: 200,
      headers: {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": page.contentSecurityPolicy,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
      body: page.html,
    };
  };
}
