import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRow, ResultFormatError, ResultStreamReader, type ResultEvent } from "../../../shared/sources/log-analytics/result-stream.js";

function readAll(body: string, cuts: number[]): ResultEvent[] {
  const reader = new ResultStreamReader();
  const events: ResultEvent[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < body.length)].sort((a, b) => a - b)) {
    events.push(...reader.push(body.slice(from, cut)));
    from = cut;
  }
  events.push(...reader.push(body.slice(from)));
  reader.end();
  return events;
}

const columns = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "Message", type: "string" },
  { name: "Count", type: "long" },
  { name: "Props", type: "dynamic" },
];

/** What parseRow promises: integers written as digits beyond 2^53 come back exact, as bigint. */
function exact(value: unknown): unknown {
  return typeof value === "number" && !Number.isSafeInteger(value) && /^-?\d+$/.test(JSON.stringify(value)) ? BigInt(JSON.stringify(value)) : value;
}

const scalar = fc.oneof(fc.string({ unit: "grapheme" }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));

describe("ResultStreamReader", () => {
  it("yields the same columns and rows as JSON.parse, wherever the body is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(scalar, { minLength: 4, maxLength: 4 }), { maxLength: 30 }),
        fc.array(fc.nat(5000), { maxLength: 20 }),
        fc.boolean(),
        (rows, cuts, pretty) => {
          const body = JSON.stringify({ tables: [{ name: "PrimaryResult", columns, rows }] }, null, pretty ? 2 : undefined);
          const events = readAll(body, cuts);
          expect(events[0]).toEqual({ kind: "columns", columns });
          expect(events.slice(1)).toEqual(rows.map((values) => ({ kind: "row", values: (JSON.parse(JSON.stringify(values)) as unknown[]).map(exact) })));
        },
      ),
    );
  });

  it("reports a top-level error after the rows (a PartialFailure body)", () => {
    const body = JSON.stringify({
      tables: [{ name: "PrimaryResult", columns, rows: [["t", "m", 1, "{}"]] }],
      error: { code: "PartialError", message: "timeout" },
    });
    const events = readAll(body, [17, 40]);
    expect(events.map((e) => e.kind)).toEqual(["columns", "row", "error"]);
    expect(events[2]).toEqual({ kind: "error", error: { code: "PartialError", message: "timeout" } });
  });

  it("rejects a truncated body instead of ending quietly", () => {
    const body = JSON.stringify({
      tables: [
        {
          name: "PrimaryResult",
          columns,
          rows: [
            ["t", "m", 1, "{}"],
            ["u", "n", 2, "{}"],
          ],
        },
      ],
    });
    for (const cut of [body.length - 1, body.length - 3, body.indexOf('["u"') + 2]) {
      const reader = new ResultStreamReader();
      reader.push(body.slice(0, cut));
      expect(() => reader.end()).toThrow(ResultFormatError);
    }
  });

  it("rejects rows that arrive before their columns and responses with several tables", () => {
    expect(() => readAll('{"tables":[{"rows":[[1]],"columns":[]}]}', [])).toThrow(/before columns/);
    expect(() => readAll('{"tables":[{"columns":[],"rows":[]},{"columns":[],"rows":[]}]}', [])).toThrow(/more than one table/);
  });

  it("handles an empty table and ignores unknown keys", () => {
    const events = readAll('{"statistics":{"a":[1,{"b":"]"}]},"tables":[{"name":"PrimaryResult","columns":[],"rows":[]}],"render":null}', [3, 30]);
    expect(events).toEqual([{ kind: "columns", columns: [] }]);
  });
});

describe("parseRow", () => {
  it("keeps integers beyond 2^53 exact as bigint", () => {
    expect(parseRow('["a,b",9007199254740993,-12345678901234567890,1.5,"9007199254740993"]')).toEqual([
      "a,b",
      9007199254740993n,
      -12345678901234567890n,
      1.5,
      "9007199254740993",
    ]);
  });

  it("leaves safe numbers as numbers", () => {
    expect(parseRow("[1,2.5,-3,1e3]")).toEqual([1, 2.5, -3, 1000]);
  });
});
