/** How a Log Analytics table is queried, which decides whether queries are billed (Analytics tables: included in ingestion). */
export const TABLE_PLANS = ["analytics", "basic", "auxiliary", "search-job"] as const;
export type TablePlan = (typeof TABLE_PLANS)[number];

export function isTablePlan(value: string): value is TablePlan {
  return (TABLE_PLANS as readonly string[]).includes(value);
}

/**
 * Pay-as-you-go list prices per GB (10^9 bytes) scanned, in USD: Basic and Auxiliary logs queries and search
 * jobs bill per GB scanned, Analytics queries do not. That billing model is confirmed by Microsoft's "Query data
 * in a Basic and Auxiliary table" page (learn.microsoft.com/azure/azure-monitor/logs/basic-logs-query, read
 * 2026-12-07: such queries are billed by the data they scan, e.g. three days of a 100 GB/day table as 300 GB). The $0.005 figure is NOT confirmed: the price page
 * (azure.microsoft.com/pricing/details/monitor/) could not be read from here, and $0.005/GB is also CloudWatch Logs
 * Insights' price, so it may have been carried over. `confirmed` stays false until someone checks that page;
 * prices vary by region and change, so update `asOf` with them.
 */
export const QUERY_PRICES = {
  asOf: "2026-12-07",
  confirmed: false,
  currency: "USD",
  perGbScanned: { analytics: 0, basic: 0.005, auxiliary: 0.005, "search-job": 0.005 },
} as const satisfies { asOf: string; confirmed: boolean; currency: string; perGbScanned: Record<TablePlan, number> };

export function queryPrice(plan: TablePlan, bytesScanned: number): number {
  return (bytesScanned / 1e9) * QUERY_PRICES.perGbScanned[plan];
}
