import type { RecordSanitizer } from "../core/ports.js";
import type { LogRecord } from "../core/records.js";

/** The sanitizer step before detectors exist: passes records through unchanged. */
export class IdentitySanitizer implements RecordSanitizer {
  readonly name = "identity";

  sanitize(record: LogRecord): LogRecord {
    return record;
  }

  sanitizeText(text: string): string {
    return text;
  }

  counts(): Readonly<Record<string, number>> {
    return {};
  }
}
