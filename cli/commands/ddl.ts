import { newestManifest } from "../../shared/engine/manifest-index.js";
import { createTableDdl, DDL_ENGINES, type DdlEngine } from "../../shared/formats/parquet/ddl.js";
import { PARQUET_COLUMN_TYPES, type ParquetSchema } from "../../shared/formats/parquet/schema.js";
import { SETTINGS } from "../../shared/settings/spec.js";
import { parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { accountStorage, ACCOUNT_FLAGS, azureExportFromFlags } from "../common.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";

export const DDL_FLAGS: readonly FlagSpec[] = [
  { name: "table", required: true, description: "the exported table" },
  { name: "engine", required: true, description: `the query engine: ${DDL_ENGINES.join(", ")}` },
  {
    name: "location",
    required: true,
    description:
      "the data container (with LOGEXPORT_PREFIX) as the engine names it: abfss://…, https://…, s3://…, or a local directory; table=<T>/ is appended",
  },
  { name: "name", description: "the table or view name in the engine (default: the table's)" },
  ...ACCOUNT_FLAGS,
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY =
  "Prints the statement that makes a table's Parquet archive queryable (external table or view, Hive partitions year/month/day/hour), with the columns of its newest manifest.";

/** The manifest lookup needs no query endpoint; the shared settings require a workspace id, so a stand-in satisfies them. */
const NO_WORKSPACE = "00000000-0000-0000-0000-000000000000";
/** How far back the newest manifest is looked for. */
const LOOKBACK_DAYS = 90;

function isEngine(value: string): value is DdlEngine {
  return (DDL_ENGINES as readonly string[]).includes(value);
}

function isParquetSchema(value: unknown): value is ParquetSchema {
  return (
    Array.isArray(value) &&
    value.every(
      (c: unknown) =>
        typeof c === "object" &&
        c !== null &&
        typeof (c as { name?: unknown }).name === "string" &&
        (PARQUET_COLUMN_TYPES as readonly unknown[]).includes((c as { type?: unknown }).type),
    )
  );
}

export async function ddlCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("ddl", SUMMARY, DDL_FLAGS));
    return 0;
  }
  const flags = parseFlags(argv, DDL_FLAGS);
  const engine = stringFlag(flags, "engine") ?? "";
  if (!isEngine(engine)) throw new CliError(`--engine must be one of ${DDL_ENGINES.join(", ")}, got ${JSON.stringify(engine)}`);
  const withWorkspace: CommandIO = { ...io, env: { [SETTINGS.workspaceId.name]: NO_WORKSPACE, ...io.env } };
  const exporter = azureExportFromFlags(flags, withWorkspace, "table", { storage: accountStorage(flags, io), stateInDataContainer: false });
  const table = exporter.settings.tables[0] ?? "";
  const manifest = await newestManifest(exporter.state, table, io.now(), LOOKBACK_DAYS);
  if (manifest === undefined)
    throw new CliError(`${table} has no manifest in the last ${LOOKBACK_DAYS} days: export it first (the columns come from its newest manifest)`);
  const schema = manifest.format["schema"];
  if (!isParquetSchema(schema))
    throw new CliError(
      `${table}'s newest window (${manifest.window.start}) is ${manifest.format.extension}, not Parquet: the DDL describes Parquet files (LOGEXPORT_FORMAT=parquet)`,
    );
  const root = stringFlag(flags, "location") ?? "";
  const location = `${root.endsWith("/") ? root : `${root}/`}table=${table}/`;
  io.stdout.write(createTableDdl({ engine, name: stringFlag(flags, "name") ?? table, location, schema }));
  return 0;
}
