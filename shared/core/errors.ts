/** Base of every error the product raises on purpose; anything else is a bug. */
export class LogExportError extends Error {
  /** True when running the same step again may succeed (throttling, a dropped connection, a count that can still settle). */
  readonly retriable: boolean;
  /** How long the service asked us to wait before asking again (its Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Bad configuration or input: fix the setting or argument, a retry will not help. */
export class ConfigurationError extends LogExportError {}

/** A queue message that is not one of ours, or not a version we understand. */
export class InvalidMessageError extends LogExportError {}

/** The source refused or failed a query (including PartialFailure). */
export class SourceQueryError extends LogExportError {}

/** A slice of time holds more than one query may return, even at the finest split. */
export class PartBudgetError extends LogExportError {}

/**
 * A re-export would archive fewer rows than the window's manifest holds (the source lost rows, or a
 * filter now drops more): refused unless the job allows it, and always when it would leave the window
 * empty. Retrying cannot help; the archive is left as it was.
 */
export class ShrinkRefusedError extends LogExportError {}

/** A part returned fewer rows than the histogram promised. */
export class RowCountMismatchError extends LogExportError {}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Object storage refused or failed a write, read or delete. */
export class StorageError extends LogExportError {}
