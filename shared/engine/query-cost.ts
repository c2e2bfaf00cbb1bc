/** How a Log Analytics table is queried, which decides whether queries are billed (Analytics tables: included in ingestion). */
export const TABLE_PLANS = ["analytics", "basic", "auxiliary", "search-job"] as const;
export type TablePlan = (typeof TABLE_PLANS)[number];

export function isTablePlan(value: string): value is TablePlan {
  return (TABLE_PLANS as readonly string[]).includes(value);
}

/**
 * Pay-as-you-go list prices per GB (10^9 bytes) scanned, in USD: Basic and Auxiliary logs queries and search
 * jobs bill per GB scanned, Analytics queries do not. Entered by hand with the date below; prices vary by
 * region and change: check https://azure.microsoft.com/pricing/details/monitor/ and update the date with them.
 */
export const QUERY_PRICES = {
  asOf: "2026-12-07",
  currency: "USD",
  perGbScanned: { analytics: 0, basic: 0.005, auxiliary: 0.005, "search-job": 0.005 },
} as const satisfies { asOf: string; currency: string; perGbScanned: Record<TablePlan, number> };

export function queryPrice(plan: TablePlan, bytesScanned: number): number {
  return (bytesScanned / 1e9) * QUERY_PRICES.perGbScanned[plan];
}
