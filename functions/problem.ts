import type { HttpResponseInit } from "@azure/functions";
import type { FieldProblem } from "../shared/engine/backfill.js";
import { escapeHtml } from "../shared/report/html.js";

const TYPE_BASE = "https://logexport.dev/problems/";

/** An RFC 9457 problem details response; `invalid-params` names each bad field. */
export function problem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  invalidParams: readonly FieldProblem[] = [],
  headers: Readonly<Record<string, string>> = {},
): HttpResponseInit {
  return {
    status,
    headers: { ...headers, "content-type": "application/problem+json" },
    jsonBody: { type: `${TYPE_BASE}${slug}`, title, status, detail, ...(invalidParams.length > 0 ? { "invalid-params": invalidParams } : {}) },
  };
}

/**
 * The same problem as a small page, for a browser (a person following a link to the coverage page):
 * title and detail, escaped, and nothing that runs.
 */
export function problemPage(response: HttpResponseInit): HttpResponseInit {
  const body = response.jsonBody as { readonly title?: unknown; readonly detail?: unknown } | undefined;
  const title = escapeHtml(String(body?.title ?? "Request refused"));
  const detail = escapeHtml(String(body?.detail ?? ""));
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><meta name="viewport" content="width=device-width"></head><body><h1>${title}</h1><p>${detail}</p><p>HTTP ${response.status ?? 500}</p></body></html>`;
  return {
    status: response.status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
    body: html,
  };
}
