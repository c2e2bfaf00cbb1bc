/** A fake log group holding a fixed list of events (tests that need particular lines rather than generated traffic). */
import type { LogGroupSource, SourceEvent } from "./fake-cloudwatch-logs.js";

export interface ListedEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly logStreamName?: string;
}

export class EventListGroup implements LogGroupSource {
  readonly logStreamNames: readonly string[];
  readonly bytesPerEvent = 500;
  private readonly events_: readonly SourceEvent[];

  constructor(
    readonly logGroupName: string,
    events: readonly ListedEvent[],
  ) {
    this.events_ = [...events]
      .sort((a, b) => a.timestamp - b.timestamp)
      .map((e, i) => ({
        logStreamName: e.logStreamName ?? "pod-a_pulp-prod_pulp-api",
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.timestamp + 100,
        eventId: String(i).padStart(56, "0"),
        cursor: String(i),
      }));
    this.logStreamNames = [...new Set(this.events_.map((e) => e.logStreamName))];
  }

  count(startMs: number, endMs: number): number {
    return this.events_.filter((e) => e.timestamp >= startMs && e.timestamp < endMs).length;
  }

  *events(startMs: number, endMs: number, options: { logStreamNames?: readonly string[]; afterCursor?: string } = {}): Generator<SourceEvent> {
    const after = options.afterCursor === undefined ? -1 : Number(options.afterCursor);
    for (const e of this.events_) {
      if (Number(e.cursor) <= after || e.timestamp < startMs || e.timestamp >= endMs) continue;
      if (options.logStreamNames !== undefined && !options.logStreamNames.includes(e.logStreamName)) continue;
      yield e;
    }
  }
}
