/** What every exported window reports, on both clouds: log fields on Azure, Embedded Metric Format on AWS. */
export interface WindowMetrics {
  readonly rows: number;
  readonly bytes: number;
  readonly parts: number;
  /** Part attempts beyond the first. */
  readonly retries: number;
  readonly durationMs: number;
  /** Now − window end, when the export completed: how far behind the exports are. */
  readonly exportLagSeconds: number;
}

export function windowMetrics(input: {
  rows: number;
  bytes: number;
  partAttempts: readonly number[];
  durationMs: number;
  windowEndMs: number;
  nowMs: number;
}): WindowMetrics {
  return {
    rows: input.rows,
    bytes: input.bytes,
    parts: input.partAttempts.length,
    retries: input.partAttempts.reduce((sum, attempts) => sum + Math.max(0, attempts - 1), 0),
    durationMs: input.durationMs,
    exportLagSeconds: Math.max(0, Math.round((input.nowMs - input.windowEndMs) / 1000)),
  };
}

const EMF_UNITS: Readonly<Record<keyof WindowMetrics, string>> = {
  rows: "Count",
  bytes: "Bytes",
  parts: "Count",
  retries: "Count",
  durationMs: "Milliseconds",
  exportLagSeconds: "Seconds",
};

const EMF_NAMES: Readonly<Record<keyof WindowMetrics, string>> = {
  rows: "Rows",
  bytes: "Bytes",
  parts: "Parts",
  retries: "Retries",
  durationMs: "DurationMs",
  exportLagSeconds: "ExportLagSeconds",
};

/**
 * One CloudWatch Embedded Metric Format line: written to a Lambda's stdout, CloudWatch extracts the
 * metrics from it (namespace, one dimension set) without any API call or permission.
 */
export function embeddedMetricLine(namespace: string, dimensions: Readonly<Record<string, string>>, metrics: WindowMetrics, timestampMs: number): string {
  const keys = Object.keys(EMF_NAMES) as (keyof WindowMetrics)[];
  const values = Object.fromEntries(keys.map((k) => [EMF_NAMES[k], metrics[k]]));
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        { Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: keys.map((k) => ({ Name: EMF_NAMES[k], Unit: EMF_UNITS[k] })) },
      ],
    },
    ...dimensions,
    ...values,
  });
}
