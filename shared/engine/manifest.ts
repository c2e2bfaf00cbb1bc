import type { Column } from "../core/records.js";
import type { TimeRange } from "../core/time.js";
import { isoInstant } from "../core/time.js";
import type { JobReason } from "./messages.js";

export const MANIFEST_SCHEMA = "logexport.manifest/v1";

export interface ManifestPart {
  readonly index: number;
  readonly name: string;
  readonly start: string;
  readonly end: string;
  readonly query: string;
  readonly expectedRows: number;
  readonly exportedRows: number;
  /** Rows that arrived after the histogram was taken (exported, counted here). */
  readonly lateRows: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly attempts: number;
  readonly durationMs: number;
  /** Present only when this part's columns differ from the window's. */
  readonly columns?: readonly Column[];
}

/** The commit marker of one exported window: without it, the window is not done. */
export interface ExportManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  /** 1 for the first export, bumped on every re-export of the same window. */
  readonly version: number;
  readonly status: "complete";
  readonly source: string;
  readonly table: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly runId: string;
  readonly reason: JobReason;
  readonly format: { readonly extension: string; readonly contentType: string };
  readonly columns: readonly Column[];
  readonly expectedRows: number;
  readonly exportedRows: number;
  readonly lateRows: number;
  readonly bytes: number;
  readonly histogram: { readonly query: string; readonly queries: number; readonly bins: number };
  readonly parts: readonly ManifestPart[];
  readonly sanitizer: { readonly name: string; readonly counts: Readonly<Record<string, number>> };
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}

export function windowFields(window: TimeRange): { start: string; end: string } {
  return { start: isoInstant(window.startMs), end: isoInstant(window.endMs) };
}

/** Reads the fields later runs rely on; anything else in the text is kept by the caller as-is. */
export function parseManifest(text: string): ExportManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const m = value as Partial<ExportManifest>;
  const valid = m.schema === MANIFEST_SCHEMA && m.status === "complete" && typeof m.version === "number" && typeof m.expectedRows === "number" && typeof m.exportedRows === "number" && Array.isArray(m.parts);
  return valid ? (value as ExportManifest) : undefined;
}
