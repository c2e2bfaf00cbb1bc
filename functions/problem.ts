import type { HttpResponseInit } from "@azure/functions";
import type { FieldProblem } from "../shared/engine/backfill.js";

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
