/**
 * CloudWatch Logs Insights limits for the wire-level fake (test/helpers/fake-cloudwatch-logs.ts), per identity:
 * concurrent queries (a query counts from StartQuery until it ends or is stopped; one more is LimitExceededException)
 * and a request rate per operation (beyond it ThrottlingException), plus the time a query stays Running.
 * docs/capacity.md ("CloudWatch Logs") gives the numbers, their sources, and which ones are assumptions.
 */
import type { LimitTimers } from "./service-limits.js";

export type RateLimitedOperation = "StartQuery" | "GetQueryResults";

export interface InsightsLimits {
  /** Concurrent Logs Insights queries per identity: 30 in the API reference of StartQuery, 100 in newer quota pages. */
  readonly concurrentQueries: number;
  /** Requests per `rateWindowMs` per identity and operation. */
  readonly requestsPerWindow: Readonly<Record<RateLimitedOperation, number>>;
  readonly rateWindowMs: number;
}

/** 30 concurrent queries (documented); 5 StartQuery and 5 GetQueryResults a second (assumed: docs/capacity.md). */
export const CLOUDWATCH_LOGS_LIMITS: InsightsLimits = {
  concurrentQueries: 30,
  requestsPerWindow: { StartQuery: 5, GetQueryResults: 5 },
  rateWindowMs: 1_000,
};

/** How long a Logs Insights query stays Running, by what it scans and returns (constants in docs/capacity.md). */
export interface InsightsLatencyModel {
  readonly baseMs: number;
  /** Bytes of log events scanned per ms. */
  readonly scanBytesPerMs: number;
  /** Result rows produced per ms. */
  readonly returnRowsPerMs: number;
}

/** 1 s a query, 100 MB/s scanned, 10,000 rows/s returned: assumptions, see docs/capacity.md. */
export const DEFAULT_INSIGHTS_LATENCY: InsightsLatencyModel = { baseMs: 1_000, scanBytesPerMs: 100_000, returnRowsPerMs: 10 };

export function insightsLatencyMs(model: InsightsLatencyModel, bytesScanned: number, rowsReturned: number): number {
  return model.baseMs + bytesScanned / model.scanBytesPerMs + rowsReturned / model.returnRowsPerMs;
}

/** The access key id of a SigV4 Authorization header (`Credential=<key id>/<date>/<region>/<service>/aws4_request`). */
export function sigV4AccessKeyId(authorization: string): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
}

/** The requests one identity sent per operation inside the rate window; `take` says whether one more fits. */
export class RequestRate {
  private readonly accepted = new Map<RateLimitedOperation, number[]>();
  readonly throttled: Record<RateLimitedOperation, number> = { StartQuery: 0, GetQueryResults: 0 };

  constructor(
    private readonly limits: InsightsLimits,
    private readonly timers: LimitTimers,
  ) {}

  take(op: RateLimitedOperation): boolean {
    const nowMs = this.timers.now();
    const times = (this.accepted.get(op) ?? []).filter((t) => t > nowMs - this.limits.rateWindowMs);
    this.accepted.set(op, times);
    if (times.length >= this.limits.requestsPerWindow[op]) {
      this.throttled[op] += 1;
      return false;
    }
    times.push(nowMs);
    return true;
  }
}
