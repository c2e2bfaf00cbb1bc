import { describe, expect, it } from "vitest";
import { plantedKinds, structuredLeaks } from "../../helpers/planted-kinds.js";
import { CONTEXTS, plant, visibleTexts } from "../../helpers/secret-samples.js";
import { sanitizer, TEST_KEY } from "./helpers.js";

/** Issue 15's leak figures: planted secrets of each kind our detectors name, in five contexts; none may survive. */

describe("planted secrets of each kind", () => {
  it.each([...plantedKinds(20)])("%s: none survives in any of the five contexts", (_kind, samples) => {
    const s = sanitizer({}, TEST_KEY);
    for (const sample of samples) {
      for (const context of CONTEXTS) {
        const line = plant(sample, context);
        expect(
          visibleTexts(s.sanitizeLine(line)).filter((text) => text.includes(sample.secret)),
          `${context}: ${line}`,
        ).toEqual([]);
      }
    }
  });

  it.each([...structuredLeaks(20)])("%s: none survives", (_kind, lines) => {
    for (const { line, secret } of lines) {
      expect(sanitizer().sanitizeLine(line)).not.toContain(secret);
      expect(sanitizer({}, TEST_KEY).sanitizeLine(line)).not.toContain(secret);
    }
  });
});
