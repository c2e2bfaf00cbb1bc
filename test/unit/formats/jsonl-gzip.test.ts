import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { JsonLinesGzipEncoder } from "../../../shared/formats/jsonl-gzip/encoder.js";
import { recordBuilder } from "../../../shared/sources/log-analytics/values.js";

async function encoded(records: Record<string, unknown>[]): Promise<string> {
  const chunks: Uint8Array[] = [];
  async function* rows() {
    yield* records;
  }
  for await (const chunk of new JsonLinesGzipEncoder().encode(rows(), [])) chunks.push(chunk);
  return gunzipSync(Buffer.concat(chunks)).toString("utf8");
}

describe("gzip JSON Lines", () => {
  it("keeps 64-bit integers exact at any depth of a dynamic value, from the API's text to the line", async () => {
    const build = recordBuilder([
      { name: "Id", type: "long" },
      { name: "Props", type: "dynamic" },
    ]);
    const record = build([9223372036854775807n, '{"max":9223372036854775807,"min":-9223372036854775808,"list":[9007199254740993,1.5]}']);
    expect(await encoded([record])).toBe(
      '{"Id":9223372036854775807,"Props":{"max":9223372036854775807,"min":-9223372036854775808,"list":[9007199254740993,1.5]}}\n',
    );
  });
});
