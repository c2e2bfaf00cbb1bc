import { Readable, pipeline } from "node:stream";
import { constants, createGzip } from "node:zlib";
import type { RecordEncoder } from "../../core/ports.js";
import type { Column, LogRecord } from "../../core/records.js";
import { stringifyJson } from "../../sanitize/json-exact.js";

const BATCH_CHARS = 64 * 1024;

/** JSON for one value; a bigint, at any depth, keeps every digit as a JSON number. */
function jsonValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  return value === undefined ? "null" : stringifyJson(value);
}

/** One record as one line of JSON, keys in record order. */
export function jsonLine(record: LogRecord, keyCache: Map<string, string>): string {
  let line = "{";
  let first = true;
  for (const key in record) {
    let quoted = keyCache.get(key);
    if (quoted === undefined) {
      quoted = JSON.stringify(key);
      keyCache.set(key, quoted);
    }
    line += `${first ? "" : ","}${quoted}:${jsonValue(record[key])}`;
    first = false;
  }
  return `${line}}\n`;
}

async function* lineBatches(records: AsyncIterable<LogRecord>): AsyncGenerator<Buffer> {
  const keys = new Map<string, string>();
  let batch = "";
  for await (const record of records) {
    batch += jsonLine(record, keys);
    if (batch.length >= BATCH_CHARS) {
      yield Buffer.from(batch, "utf8");
      batch = "";
    }
  }
  if (batch.length > 0) yield Buffer.from(batch, "utf8");
}

/** gzip JSON Lines: one object per row, typed values, deterministic bytes for the same rows. */
export class JsonLinesGzipEncoder implements RecordEncoder {
  readonly extension = "jsonl.gz";
  readonly contentType = "application/gzip";

  constructor(private readonly level: number = constants.Z_DEFAULT_COMPRESSION) {}

  encode(records: AsyncIterable<LogRecord>, _columns: readonly Column[]): AsyncIterable<Uint8Array> {
    // pipeline() destroys the gzip stream with the source's error, so a failed read never looks like a short, valid file.
    return pipeline(Readable.from(lineBatches(records)), createGzip({ level: this.level }), () => undefined);
  }
}
