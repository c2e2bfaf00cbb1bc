import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Sanitizer } from "../../shared/sanitize/index.js";
import { integerFlag, parseFlags, stringFlag, usage, type FlagSpec } from "../args.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { loadSanitizerSetup } from "../sanitize/config-file.js";
import { errorCode } from "../sanitize/output.js";
import { SchemaSurvey, type FieldSummary } from "../sanitize/schema.js";
import { createSanitizer } from "../sanitize/setup.js";
import { renderTable } from "../table.js";

export const ANALYZE_SCHEMA_FLAGS: readonly FlagSpec[] = [
  { name: "limit", default: "10000", description: "lines read from the start of the file" },
  { name: "config", description: "sanitizer config, JSON or YAML (default: the built-in rules)" },
  { name: "json", boolean: true, description: "print JSON instead of a table" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY = "Lists the fields of a JSON Lines sample (dotted paths, arrays as []) with their JSON types, fill rate, the rules configured for them and the rules that fired on their values. Run it on each log source before exporting it.";

export async function analyzeSchemaCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("analyze-schema FILE", SUMMARY, ANALYZE_SCHEMA_FLAGS));
    return 0;
  }
  const { file, rest } = splitFile(argv);
  if (file === undefined) throw new CliError("analyze-schema needs a JSON Lines file: logexport analyze-schema FILE [--limit N] [--json]");
  const flags = parseFlags(rest, ANALYZE_SCHEMA_FLAGS);
  const limit = integerFlag(flags, "limit", 1, 10_000_000) ?? 10_000;
  const survey = new SchemaSurvey(await analysisSanitizer(stringFlag(flags, "config"), io));
  const info = await stat(file).catch((error: unknown) => {
    throw new CliError(`${file}: cannot read it (${errorCode(error)})`);
  });
  if (!info.isFile()) throw new CliError(`${file}: not a regular file`);
  let lines = 0;
  let notJson = 0;
  const input = createReadStream(file);
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (lines === limit) break;
      lines += 1;
      const record = parseRecord(line);
      if (record === undefined) notJson += line === "" ? 0 : 1;
      else survey.add(record);
    }
  } finally {
    input.destroy();
  }
  const fields = survey.summary();
  if (flags.json === true) io.stdout.write(`${JSON.stringify({ file, lines, records: survey.recordCount, notJson, fields }, null, 2)}\n`);
  else io.stdout.write(`${lines} lines of ${file}: ${survey.recordCount} JSON objects, ${notJson} other lines (sanitized as text)\n\n${fieldTable(fields)}\n`);
  return 0;
}

/** The file is the one argument that is neither a flag nor a flag's value. */
function splitFile(argv: readonly string[]): { file: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    if (arg.startsWith("--")) {
      const spec = ANALYZE_SCHEMA_FLAGS.find((s) => s.name === arg.slice(2));
      if (spec !== undefined && spec.boolean !== true) i += 1;
      continue;
    }
    return { file: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { file: undefined, rest: [...argv] };
}

async function analysisSanitizer(configPath: string | undefined, io: CommandIO): Promise<Sanitizer> {
  const setup = await loadSanitizerSetup(configPath, io.env);
  // The analysis prints no values, so without LOGEXPORT_HMAC_KEY a throwaway key lets pseudonymizing rules be counted.
  return createSanitizer({ config: setup.config, hmacKey: setup.hmacKey ?? randomBytes(32) });
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function fieldTable(fields: readonly FieldSummary[]): string {
  if (fields.length === 0) return "no JSON objects in the sample";
  return renderTable([
    ["field", "types", "fill %", "rules", "detected"],
    ...fields.map((f) => [
      f.path,
      f.types.join("|"),
      Number(f.fillPercent.toFixed(1)),
      f.rules.join(", ") || "-",
      Object.entries(f.detected).map(([rule, count]) => `${rule} ${count}`).join(", ") || "-",
    ]),
  ]);
}
