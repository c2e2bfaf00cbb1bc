import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyNodes } from "../../../shared/sanitize/key-nodes.js";
import { scanJsonLine, type LineValueRules } from "../../../shared/sanitize/line-scanner.js";

const keyNodes = new KeyNodes([], [], [], { secretEnabled: () => false, identifiers: false, valueRules: () => [] });

/** Rules that pass every value unchanged, and say which numbers they were shown. */
function passAll(numbers: string[] = []): LineValueRules {
  return {
    child: (parent, key) => keyNodes.child(parent, key),
    string: (value) => value,
    passes: () => true,
    number: (line, start, end) => {
      numbers.push(line.slice(start, end));
      return true;
    },
  };
}

function parses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** JSON text of containers with all kinds of numbers and spacing; mutations make some invalid. */
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.integer().map(String),
  fc.constantFrom("0", "-0", "1e5", "1E+5", "-1.5e-3", "10.25", "01", "1.", "-", "1e", ".5", "+1", "1.e3", "-01.0", "0x1F", "2E-0"),
);
const scalar = fc.oneof(number, fc.constantFrom("true", "false", "null", "tru", "nul", '"a"', '"b\\"c"', '"\\u0041"', '"x'));
const space = fc.constantFrom("", "", "", " ", "\t", " \n ");
const container: fc.Arbitrary<string> = fc
  .letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      scalar,
      fc.array(tie("value"), { maxLength: 4 }).chain((items) => space.map((s) => `[${s}${items.join(`${s},${s}`)}${s}]`)),
      fc
        .array(fc.tuple(fc.constantFrom('"k"', '"level"', '"n"', '"a\\"b"', "k", '"x":'), tie("value")), { maxLength: 4 })
        .chain((pairs) => space.map((s) => `{${s}${pairs.map(([k, v]) => `${k}${s}:${s}${v}`).join(`${s},${s}`)}${s}}`)),
    ),
  }))
  .value.filter((text) => text.startsWith("{") || text.startsWith("["));

describe("scanJsonLine", () => {
  it("accepts a line, as the same string, exactly when JSON.parse does, whatever its numbers and spacing", () => {
    fc.assert(
      fc.property(container, (line) => {
        const scanned = scanJsonLine(line, keyNodes.root, passAll(), 64);
        expect(scanned === undefined ? "refused" : "accepted").toBe(parses(line) ? "accepted" : "refused");
        if (scanned !== undefined) expect(scanned).toBe(line);
      }),
      { numRuns: 3000 },
    );
  });

  it("shows the rules each number token whole", () => {
    const numbers: string[] = [];
    const line = '{"a":-1.5e-3,"b":[0,10.25,2E+7],"c":{"d":-0}}';
    expect(scanJsonLine(line, keyNodes.root, passAll(numbers), 64)).toBe(line);
    expect(numbers).toEqual(["-1.5e-3", "0", "10.25", "2E+7", "-0"]);
  });

  it("refuses numbers JSON does not allow", () => {
    for (const bad of ["01", "1.", "-", "1e", ".5", "+1", "1.e3", "-01", "0x1", "1e+"]) {
      expect(scanJsonLine(`{"n":${bad}}`, keyNodes.root, passAll(), 64), bad).toBeUndefined();
    }
  });
});
