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
import { numberedLines } from "../sanitize/sample.js";
import { SchemaSurvey, type FieldSummary, type RequiredField } from "../sanitize/schema.js";
import { createSanitizer } from "../sanitize/setup.js";
import { renderTable } from "../table.js";

export const ANALYZE_SCHEMA_FLAGS: readonly FlagSpec[] = [
  { name: "limit", default: "10000", description: "lines read from the start of the file" },
  { name: "sample", description: "a uniform random sample of this many lines of the whole file, instead of the first --limit lines" },
  { name: "required", default: "timestamp,service,message", description: "comma-separated fields (dotted paths) every record should hold; empty for none" },
  { name: "min-presence", default: "95", description: "percent of records a required field must be present in" },
  { name: "config", description: "sanitizer config, JSON or YAML (default: the built-in rules)" },
  { name: "json", boolean: true, description: "print JSON instead of a table" },
  { name: "help", boolean: true, description: "show this help" },
];

const SUMMARY =
  "Lists the fields of a JSON Lines sample (dotted paths, arrays as []) with their JSON types, fill rate, the rules configured for them, the rules that would still change their values (our own markers, masks and pseudonyms count as sanitized, not detected), and the presence of the required fields. Run it on each log source before exporting it, and on sanitized output before uploading it.";

export async function analyzeSchemaCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  if (argv.includes("--help")) {
    io.stdout.write(usage("analyze-schema FILE", SUMMARY, ANALYZE_SCHEMA_FLAGS));
    return 0;
  }
  const { file, rest } = splitFile(argv);
  if (file === undefined) throw new CliError("analyze-schema needs a JSON Lines file: logexport analyze-schema FILE [--limit N] [--json]");
  const flags = parseFlags(rest, ANALYZE_SCHEMA_FLAGS);
  const limit = integerFlag(flags, "limit", 1, 10_000_000) ?? 10_000;
  const sample = integerFlag(flags, "sample", 1, 10_000_000);
  const minPresence = integerFlag(flags, "min-presence", 0, 100) ?? 95;
  const requiredPaths = (stringFlag(flags, "required") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const survey = new SchemaSurvey(await analysisSanitizer(stringFlag(flags, "config"), io));
  const info = await stat(file).catch((error: unknown) => {
    throw new CliError(`${file}: cannot read it (${errorCode(error)})`);
  });
  if (!info.isFile()) throw new CliError(`${file}: not a regular file`);
  let lines = 0;
  let notJson = 0;
  const input = createReadStream(file);
  try {
    for await (const { text } of numberedLines(createInterface({ input, crlfDelay: Infinity }), sample)) {
      if (sample === undefined && lines === limit) break;
      lines += 1;
      const record = parseRecord(text);
      if (record === undefined) notJson += text === "" ? 0 : 1;
      else survey.add(record);
    }
  } finally {
    input.destroy();
  }
  const fields = survey.summary();
  const required = survey.required(requiredPaths, minPresence);
  const read = `${lines} ${sample === undefined ? "" : "sampled "}lines of ${file}`;
  if (flags.json === true)
    io.stdout.write(
      `${JSON.stringify({ file, lines, sampled: sample !== undefined, records: survey.recordCount, notJson, fields, minPresencePercent: minPresence, required }, null, 2)}\n`,
    );
  else
    io.stdout.write(
      `${read}: ${survey.recordCount} JSON objects, ${notJson} other lines (sanitized as text)\n\n${fieldTable(fields)}\n${requiredReport(required, minPresence)}`,
    );
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

/** Seed 002's check: which required fields are present in fewer records than the threshold. */
function requiredReport(required: readonly RequiredField[], minPresence: number): string {
  if (required.length === 0) return "";
  const presence = required.map((r) => `${r.path} ${Number(r.presentPercent.toFixed(1))} %`).join(", ");
  const below = required.filter((r) => !r.ok);
  return `\nrequired fields (present in ≥ ${minPresence} % of records): ${presence}\n${below.length === 0 ? "all required fields present" : `below ${minPresence} %: ${below.map((r) => r.path).join(", ")}`}\n`;
}

function fieldTable(fields: readonly FieldSummary[]): string {
  if (fields.length === 0) return "no JSON objects in the sample";
  return renderTable([
    ["field", "types", "fill %", "rules", "detected", "sanitized"],
    ...fields.map((f) => [
      f.path,
      f.types.join("|"),
      Number(f.fillPercent.toFixed(1)),
      f.rules.join(", ") || "-",
      Object.entries(f.detected)
        .map(([rule, count]) => `${rule} ${count}`)
        .join(", ") || "-",
      f.sanitized,
    ]),
  ]);
}
