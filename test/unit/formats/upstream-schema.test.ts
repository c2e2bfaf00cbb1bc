import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createParquetEncoder } from "../../../shared/formats/parquet/encoder.js";
import { PULP_ACCESS_LOG_SCHEMA, type ParquetSchema } from "../../../shared/formats/parquet/schema.js";
import { contentSchema } from "../../../shared/parsers/content/types.js";
import { footerSchema, type FooterColumn } from "../../fixtures/upstream-pulp/footer-schema.js";

const FIXTURE = fileURLToPath(new URL("../../fixtures/upstream-pulp/pyarrow-footers.json", import.meta.url));
const OURS: Readonly<Record<string, ParquetSchema>> = { access: PULP_ACCESS_LOG_SCHEMA, python: contentSchema("python"), rpm: contentSchema("rpm"), maven: contentSchema("maven") };

async function ourFooter(schema: ParquetSchema): Promise<FooterColumn[]> {
  const parts: Uint8Array[] = [];
  for await (const chunk of createParquetEncoder(schema).write([])) parts.push(chunk);
  return footerSchema(new Uint8Array(Buffer.concat(parts)));
}

/** The one documented difference (docs/upstream-compatibility.md): int16 without pyarrow's INTEGER(16, signed) logical annotation, its converted type INT_16 kept. */
function withoutInt16Logical(column: FooterColumn): FooterColumn {
  if (column.converted_type !== "INT_16") return column;
  const { logical_type: _dropped, ...rest } = column;
  return rest;
}

describe("our Parquet schemas against the footers upstream's code writes (test/fixtures/upstream-pulp)", () => {
  it.each(Object.keys(OURS))("%s: the same columns, order, types, nullability and annotations, but for int16's logical annotation", async (name) => {
    const reference = (JSON.parse(await readFile(FIXTURE, "utf8")) as { schemas: Record<string, FooterColumn[]> }).schemas[name] ?? [];
    const ours = await ourFooter(OURS[name] ?? []);
    expect(reference.length).toBeGreaterThan(9);
    expect(ours).toEqual(reference.map(withoutInt16Logical));
    expect(reference.filter((c) => c !== withoutInt16Logical(c)).map((c) => c.name)).toEqual(["status_code"]);
  });
});
