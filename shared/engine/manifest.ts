import type { Column } from "../core/records.js";
import type { TimeRange } from "../core/time.js";
import { isoInstant } from "../core/time.js";
import type { JobReason } from "./messages.js";

/** The one manifest schema of both clouds (docs/manifest.md). */
export const MANIFEST_SCHEMA = "logexport.manifest/v2";
/** Azure manifests written before both clouds shared one engine; read as v2 (docs/manifest.md). */
const MANIFEST_SCHEMA_V1 = "logexport.manifest/v1";

/** One part query (or exact scan) of the window and what it returned. */
export interface ManifestPart {
  readonly index: number;
  /** The object this part's rows went into. */
  readonly object: string;
  readonly start: string;
  readonly end: string;
  readonly method: "query" | "scan";
  readonly query: string;
  /** Rows the histogram counted, rows the part returned (more: late arrivals), rows written after exclusions. */
  readonly expectedRows: number;
  readonly readRows: number;
  readonly exportedRows: number;
  readonly attempts: number;
  readonly durationMs: number;
  /** Present only when this part's columns differ from the window's. */
  readonly columns?: readonly Column[];
}

/** One object written for the window: one per part (Azure), or one for the whole window (the AWS hour). */
export interface ManifestObject {
  readonly name: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

/** The commit marker of one exported window: without it, the window is not done. */
export interface ExportManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  /** 1 for the first export, bumped on every re-export of the same window: the generation its objects' names carry. */
  readonly version: number;
  readonly status: "complete";
  readonly source: string;
  readonly table: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly runId: string;
  readonly reason: JobReason;
  /** The files' format; Parquet adds `name`, `writer`, `codec` and `schema` (the columns as written). */
  readonly format: { readonly extension: string; readonly contentType: string } & Readonly<Record<string, unknown>>;
  readonly columns: readonly Column[];
  readonly expectedRows: number;
  readonly readRows: number;
  readonly exportedRows: number;
  /** Rows read beyond the histogram's count (arrived while the window was exported; exported, counted here). */
  readonly lateRows: number;
  /** Rows read and deliberately left out, by reason (filters of the export). */
  readonly excluded: Readonly<Record<string, number>>;
  /** Rows read that could not be parsed: counted, a few samples kept (after the sanitizer's text rules). */
  readonly malformed: { readonly count: number; readonly samples: readonly string[] };
  readonly bytes: number;
  readonly histogram: { readonly query: string; readonly queries: number; readonly bins: number };
  readonly objects: readonly ManifestObject[];
  readonly parts: readonly ManifestPart[];
  readonly sanitizer: { readonly name: string; readonly counts: Readonly<Record<string, number>> };
  /** Objects of earlier generations (or of an interrupted attempt) still to delete; absent once they are gone. */
  readonly cleanup?: readonly string[];
  /** A re-export that was allowed to archive fewer rows than the generation it replaced. */
  readonly shrink?: { readonly fromVersion: number; readonly fromRows: number };
  /** What the source's queries cost, when it reports it (Logs Insights bills per GB scanned), and their ids. */
  readonly bytesScanned?: number;
  readonly queryIds?: readonly string[];
  /** Requests the source's service refused for its limits and the source waited out (CloudWatch Logs: LimitExceeded, Throttling). */
  readonly throttled?: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}

export function windowFields(window: TimeRange): { start: string; end: string } {
  return { start: isoInstant(window.startMs), end: isoInstant(window.endMs) };
}

interface ManifestV1Part {
  readonly index: number;
  readonly name: string;
  readonly start: string;
  readonly end: string;
  readonly query: string;
  readonly expectedRows: number;
  readonly exportedRows: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly attempts: number;
  readonly durationMs: number;
  readonly columns?: readonly Column[];
}

/** A v1 manifest (one object per part, every row read was written) in the v2 shape. */
function fromV1(m: Omit<ExportManifest, "schema" | "parts"> & { parts: readonly ManifestV1Part[] }): ExportManifest {
  return {
    ...m,
    schema: MANIFEST_SCHEMA,
    readRows: m.exportedRows,
    excluded: {},
    malformed: { count: 0, samples: [] },
    objects: m.parts.map((p) => ({ name: p.name, rows: p.exportedRows, bytes: p.bytes, sha256: p.sha256 })),
    parts: m.parts.map((p) => ({
      index: p.index,
      object: p.name,
      start: p.start,
      end: p.end,
      method: "query",
      query: p.query,
      expectedRows: p.expectedRows,
      readRows: p.exportedRows,
      exportedRows: p.exportedRows,
      attempts: p.attempts,
      durationMs: p.durationMs,
      ...(p.columns === undefined ? {} : { columns: p.columns }),
    })),
  };
}

/** Reads the fields later runs rely on; undefined for anything that is not a complete manifest of a known schema. */
export function parseManifest(text: string): ExportManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const m = value as Partial<ExportManifest> & { schema?: unknown };
  const common =
    m.status === "complete" &&
    typeof m.version === "number" &&
    typeof m.expectedRows === "number" &&
    typeof m.exportedRows === "number" &&
    Array.isArray(m.parts);
  if (!common) return undefined;
  if (m.schema === MANIFEST_SCHEMA) return typeof m.readRows === "number" && Array.isArray(m.objects) ? (value as ExportManifest) : undefined;
  if (m.schema === MANIFEST_SCHEMA_V1) return fromV1(value as Parameters<typeof fromV1>[0]);
  return undefined;
}
