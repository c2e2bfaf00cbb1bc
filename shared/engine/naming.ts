import { compactInstant, type TimeRange } from "../core/time.js";

function dayPath(table: string, ms: number): string {
  const iso = new Date(ms).toISOString();
  return `table=${table}/year=${iso.slice(0, 4)}/month=${iso.slice(5, 7)}/day=${iso.slice(8, 10)}`;
}

function partitionPath(table: string, ms: number): string {
  return `${dayPath(table, ms)}/hour=${new Date(ms).toISOString().slice(11, 13)}`;
}

function joinPrefix(prefix: string, path: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? path : `${trimmed}/${path}`;
}

/** `<T>_<windowStart>_<windowEnd>`: the stem every object of one window shares. */
export function windowStem(table: string, window: TimeRange): string {
  return `${table}_${compactInstant(window.startMs)}_${compactInstant(window.endMs)}`;
}

/** `_g<n>` from the second export of a window on, so a re-export never overwrites what a committed manifest lists. */
function generationSuffix(generation: number): string {
  return generation <= 1 ? "" : `_g${generation}`;
}

/** Names derive only from (table, window, generation, part), so a rerun of the same generation overwrites instead of duplicating. */
export function partObjectName(prefix: string, table: string, window: TimeRange, generation: number, index: number, count: number, extension: string): string {
  return `${windowObjectsPrefix(prefix, table, window)}${generation <= 1 ? "" : `g${generation}_`}part-${index}-of-${count}.${extension}`;
}

/** Every object of the window, of every generation and part count, starts with this. */
export function windowObjectsPrefix(prefix: string, table: string, window: TimeRange): string {
  return joinPrefix(prefix, `${partitionPath(table, window.startMs)}/${windowStem(table, window)}_`);
}

export function manifestName(table: string, window: TimeRange): string {
  return `manifests/${partitionPath(table, window.startMs)}/${windowStem(table, window)}.manifest.json`;
}

/** Manifests of every window starting on the UTC day of `ms`. */
export function manifestsDayPrefix(table: string, ms: number): string {
  return `manifests/${dayPath(table, ms)}/`;
}

/**
 * `dir/_file.parquet.manifest.json` beside `dir/file.parquet`: the leading `_` keeps it out of what Athena,
 * Hive, Spark and Glue crawlers read as the table's data (they skip names starting with `_` or `.`).
 */
export function sidecarManifestName(objectName: string): string {
  const slash = objectName.lastIndexOf("/");
  return `${objectName.slice(0, slash + 1)}_${objectName.slice(slash + 1)}.manifest.json`;
}

/**
 * `ledger/YYYY-MM-DD/<table>.csv`: one append blob per table and day stays far below Azure's 50,000 blocks
 * (1-minute windows are 1,440 lines a day). Ledgers of one day, old (`ledger/YYYY-MM-DD.csv`) or new,
 * all start with ledgerDayPrefix.
 */
export function ledgerName(table: string, window: TimeRange): string {
  return `${ledgerDayPrefix(window.startMs)}/${table}.csv`;
}

export function ledgerDayPrefix(ms: number): string {
  return `ledger/${new Date(ms).toISOString().slice(0, 10)}`;
}

export function watermarkName(table: string): string {
  return `watermarks/${table}.json`;
}

/** `<prefix>/year=YYYY/month=MM/day=DD/hour=HH/<stem>_YYYYMMDDTHH0000Z[_g<n>].parquet`: one file per hour and generation. */
export function hourlyObjectName(prefix: string, stem: string, hourStartMs: number, extension: string, generation = 1): string {
  const iso = new Date(hourStartMs).toISOString();
  const partition = `year=${iso.slice(0, 4)}/month=${iso.slice(5, 7)}/day=${iso.slice(8, 10)}/hour=${iso.slice(11, 13)}`;
  return joinPrefix(
    prefix,
    `${partition}/${stem}_${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}0000Z${generationSuffix(generation)}.${extension}`,
  );
}
