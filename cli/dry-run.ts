import type { TimeRange } from "../shared/core/time.js";
import { describeRange } from "../shared/core/time.js";
import { isTablePlan, QUERY_PRICES, queryPrice, TABLE_PLANS, type TablePlan } from "../shared/engine/query-cost.js";
import type { AzureExport } from "../shared/wiring/azure.js";
import { stringFlag, type FlagSpec, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";
import type { CommandIO } from "./io.js";
import { renderTable } from "./table.js";

export const DRY_RUN_FLAGS: readonly FlagSpec[] = [
  { name: "dry-run", boolean: true, description: "print the plan (windows, parts, queries, estimated GB scanned and its price), export nothing" },
  {
    name: "table-plans",
    description: `TABLE=PLAN,… for the dry run's price: ${TABLE_PLANS.join(", ")} (default analytics, whose queries are not billed per GB)`,
  },
];

function tablePlans(flags: ParsedFlags, tables: readonly string[]): Map<string, TablePlan> {
  const plans = new Map<string, TablePlan>(tables.map((t) => [t, "analytics"]));
  for (const entry of (stringFlag(flags, "table-plans") ?? "").split(",").filter((e) => e.trim() !== "")) {
    const [table = "", plan = ""] = entry.split("=").map((p) => p.trim());
    if (!plans.has(table)) throw new CliError(`--table-plans: ${JSON.stringify(table)} is not one of the tables exported (${tables.join(", ")})`);
    if (!isTablePlan(plan)) throw new CliError(`--table-plans: the plan of ${table} must be one of ${TABLE_PLANS.join(", ")}, got ${JSON.stringify(plan)}`);
    plans.set(table, plan);
  }
  return plans;
}

const gb = (bytes: number): string => (bytes / 1e9).toFixed(3);
const usd = (amount: number): string => `$${amount.toFixed(amount > 0 && amount < 0.01 ? 4 : 2)}`;

/** The plan without exporting: windows, parts, queries and data scanned per table, priced where the table's plan bills per GB scanned. */
export async function printDryRun(exporter: AzureExport, range: TimeRange, flags: ParsedFlags, io: CommandIO): Promise<number> {
  const plansOf = tablePlans(flags, exporter.settings.tables);
  const plans = await exporter.planBackfill(range, exporter.settings.windowMs);
  let price = 0;
  let planPrice = 0;
  const rows: (string | number)[][] = [
    ["table", "windows", "exported", "to export", "rows to export", "est. parts", "est. queries", "est. GB scanned", "plan", "est. price"],
  ];
  for (const p of plans) {
    const plan = plansOf.get(p.table) ?? "analytics";
    const cost = queryPrice(plan, p.estimatedBytesScanned);
    price += cost;
    planPrice += queryPrice(plan, p.planBytesScanned);
    rows.push([p.table, p.windows, p.exported, p.toExport, p.rowsToExport, p.estimatedParts, p.estimatedQueries, gb(p.estimatedBytesScanned), plan, usd(cost)]);
  }
  const queries = plans.reduce((n, p) => n + p.estimatedQueries, 0);
  const scanned = plans.reduce((n, p) => n + p.estimatedBytesScanned, 0);
  const prices = Object.entries(QUERY_PRICES.perGbScanned)
    .filter(([, perGb]) => perGb > 0)
    .map(([plan, perGb]) => `${plan} $${perGb}/GB`)
    .join(", ");
  io.stdout.write(
    `${renderTable(rows)}\n\n` +
      `dry run: ${queries} queries would run over ${describeRange(range)} (plus one finer histogram per minute over the part budget), reading about ${gb(scanned)} GB; estimated query price ${usd(price)}\n` +
      `this dry run read ${gb(plans.reduce((n, p) => n + p.planBytesScanned, 0))} GB itself (one histogram per table; ${usd(planPrice)})\n` +
      `prices: pay-as-you-go list prices of ${QUERY_PRICES.asOf} in ${QUERY_PRICES.currency} (${prices}; analytics queries not billed per GB)${QUERY_PRICES.confirmed ? "" : ", not confirmed against the Azure Monitor price page"}; they vary by region, check yours\n` +
      `nothing was exported\n`,
  );
  return 0;
}
