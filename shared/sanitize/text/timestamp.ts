/** An ISO 8601 date-time and nothing else; no detector can match one, and nearly every log line has one. */
const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d{1,9})?)?(?:Z|[+-]\d\d(?::?\d\d)?)?$/;

const MIN_LENGTH = 16;
const MAX_LENGTH = 35;
const DASH = 45;
const COLON = 58;

/** Checks the fixed separator positions before the regex, so other strings cost a few comparisons. */
export function isIsoTimestamp(text: string): boolean {
  return (
    text.length >= MIN_LENGTH &&
    text.length <= MAX_LENGTH &&
    text.charCodeAt(4) === DASH &&
    text.charCodeAt(7) === DASH &&
    text.charCodeAt(13) === COLON &&
    ISO_TIMESTAMP.test(text)
  );
}
