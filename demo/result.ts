import type { CoverageSection } from "../shared/report/coverage-page.js";

/** What one cloud's part of the demo ends with: whether it is complete, and its tables for the coverage page. */
export interface DemoResult {
  readonly complete: boolean;
  readonly coverage: CoverageSection;
}
