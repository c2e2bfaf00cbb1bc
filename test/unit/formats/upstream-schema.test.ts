import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createParquetEncoder } from "../../../shared/formats/parquet/encoder.js";
import { PULP_ACCESS_LOG_SCHEMA, type ParquetSchema } from "../../../shared/formats/parquet/schema.js";
import { contentSchema } from "../../../shared/parsers/content/types.js";
import { footerSchema, type FooterColumn } from "../../fixtures/upstream-pulp/footer-schema.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/upstream-pulp/pyarrow-footers.json", import.meta.url));
const OURS: Readonly<Record<string, ParquetSchema>> = {
  access: PULP_ACCESS_LOG_SCHEMA,
  python: contentSchema("python"),
  rpm: contentSchema("rpm"),
  maven: contentSchema("maven"),
};

async function ourFooter(schema: ParquetSchema): Promise<FooterColumn[]> {
  const parts: Uint8Array[] = [];
  for await (const chunk of createParquetEncoder(schema).write([])) parts.push(chunk);
  return footerSchema(new Uint8Array(Buffer.concat(parts)));
}

/**
 * The documented differences (docs/upstream-compatibility.md), in annotations only: our strings and int16 carry
 * the legacy converted type without pyarrow's logical annotation (STRING; INTEGER(16, signed), which
 * hyparquet-writer 0.17 cannot write), and our int32/int64 add the converted types INT_32/INT_64 that pyarrow
 * leaves out. Readers take either annotation for the same type.
 */
function asWeAnnotate(column: FooterColumn): FooterColumn {
  const { logical_type: logical, ...rest } = column;
  if (column.converted_type === "UTF8" || column.converted_type === "INT_16") return rest;
  if (column.type === "INT32" && logical === undefined && column.converted_type === undefined) return { ...column, converted_type: "INT_32" };
  if (column.type === "INT64" && logical === undefined && column.converted_type === undefined) return { ...column, converted_type: "INT_64" };
  return column;
}

describe("our Parquet schemas against the footers upstream's code writes (test/fixtures/upstream-pulp)", () => {
  it.each(Object.keys(OURS))("%s: the same columns, order, physical types, nullability and timestamp; annotations as documented", async (name) => {
    const reference = (JSON.parse(await readFile(FIXTURE, "utf8")) as { schemas: Record<string, FooterColumn[]> }).schemas[name] ?? [];
    const ours = await ourFooter(OURS[name] ?? []);
    expect(reference.length).toBeGreaterThan(9);
    expect(ours).toEqual(reference.map(asWeAnnotate));
    expect(ours.filter((c) => c.name === "timestamp")).toEqual(reference.filter((c) => c.name === "timestamp"));
  });
});
