/**
 * List prices (USD, pay-as-you-go, entered by hand from the providers' pricing pages on the date below,
 * the same as terraform/README.md's cost table; they vary by region and change: check them).
 * Blob: Hot LRS; lease, list and write operations are billed as write operations (upper bound).
 */
import type { ScenarioResult } from "./simulate.js";

export const PRICES = {
  asOf: "2026-12-07",
  blobWritePer10k: 0.055,
  blobReadPer10k: 0.0044,
  queuePer10k: 0.05,
  functionGbSecond: 0.000026,
  functionExecutionPerMillion: 0.4,
  /** Basic/Auxiliary tables and search jobs; Analytics tables' queries are not billed. */
  queryPerGbScanned: 0.005,
  /** Flex Consumption instance memory (the module's instance_memory_in_mb default). */
  instanceGb: 2,
} as const;

export interface CostPerGb {
  readonly queriesAnalytics: number;
  readonly queriesBasic: number;
  readonly storageOps: number;
  readonly functionTime: number;
  readonly total: number;
}

/** Cost of the run's operations per GB (10^9 bytes) exported; storage capacity (GB-months) is not an operation and not included. */
export function costPerGb(result: ScenarioResult): CostPerGb {
  const gb = result.exportedBytes / 1e9;
  const writes = result.ops.writes + result.ops.lists + result.leaseOps;
  const storageOps = (writes / 1e4) * PRICES.blobWritePer10k + (result.ops.reads / 1e4) * PRICES.blobReadPer10k + (result.ops.queue / 1e4) * PRICES.queuePer10k;
  const functionTime = result.instanceSeconds * PRICES.instanceGb * PRICES.functionGbSecond + (result.executions / 1e6) * PRICES.functionExecutionPerMillion;
  const queriesBasic = (result.queries.bytesScanned / 1e9) * PRICES.queryPerGbScanned;
  return {
    queriesAnalytics: 0,
    queriesBasic: queriesBasic / gb,
    storageOps: storageOps / gb,
    functionTime: functionTime / gb,
    total: (storageOps + functionTime) / gb,
  };
}
