import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LEDGER_HEADER, ledgerLine, parseLedger, type LedgerEntry } from "../../../shared/engine/ledger.js";

const entry = fc.record({
  table: fc.constantFrom("AppRequests", "T_CL"),
  windowStart: fc.constant("2026-11-22T10:00:00.000Z"),
  windowEnd: fc.constant("2026-11-22T11:00:00.000Z"),
  status: fc.constantFrom("complete" as const, "failed" as const),
  rows: fc.nat(),
  files: fc.nat(100),
  bytes: fc.nat(),
  durationMs: fc.nat(),
  runId: fc.constantFrom("plan-1", "bf:2"),
  reason: fc.constantFrom("scheduled", "backfill"),
  manifestVersion: fc.option(fc.integer({ min: 1, max: 9 }), { nil: null }),
  finishedAt: fc.constant("2026-11-22T11:30:00.000Z"),
  error: fc.string().map((s) => s.replace(/\s+/g, " ").slice(0, 500)),
});

describe("the CSV ledger", () => {
  it("reads back every line it writes, including errors with commas and quotes", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries: LedgerEntry[]) => {
        const text = `${LEDGER_HEADER}\n${entries.map(ledgerLine).join("\n")}\n`;
        expect(parseLedger(text)).toEqual(entries);
      }),
    );
  });

  it("skips lines that are not ledger lines", () => {
    expect(parseLedger("garbage\n,,,\n")).toEqual([]);
  });
});
