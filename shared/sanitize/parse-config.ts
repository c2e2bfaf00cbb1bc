import { ConfigurationError } from "../core/errors.js";
import type { CustomAction, DetectorAction, FieldAction } from "./catalog.js";
import { describeValue, sanitizerConfigProblems } from "./compile.js";
import type { AllowList, CustomRule, DetectorSettings, FieldRule, SanitizerConfig } from "./config.js";
import { defaultSanitizerConfig } from "./config.js";

type Json = Record<string, unknown>;

/** Reads untyped config data, noting every problem with its path instead of stopping at the first. */
class ConfigReader {
  readonly problems: string[] = [];

  object(value: unknown, path: string, keys: readonly string[]): Json | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.problems.push(`${path === "" ? "(top level)" : path}: expected an object, got ${describeValue(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      // A key that is empty or holds ": " or "." is quoted, so the problem's path stays readable and unambiguous.
      const shown = /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
      if (!keys.includes(key)) this.problems.push(`${path === "" ? shown : `${path}.${shown}`}: unknown key (allowed: ${keys.join(", ")})`);
    }
    return value as Json;
  }

  array(value: unknown, path: string): unknown[] {
    if (value === undefined) return [];
    if (Array.isArray(value)) return value;
    this.problems.push(`${path}: expected a list, got ${describeValue(value)}`);
    return [];
  }

  string(value: unknown, path: string): string {
    if (typeof value === "string") return value;
    this.problems.push(`${path}: expected a string, got ${describeValue(value)}`);
    return "";
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined ? undefined : this.string(value, path);
  }

  strings(value: unknown, path: string): string[] {
    return this.array(value, path).map((item, index) => this.string(item, `${path}[${index}]`));
  }
}

function readDetectors(reader: ConfigReader, value: unknown): DetectorSettings {
  if (value === undefined) return {};
  // Names and actions are checked against the catalog by compileSanitizerConfig; here only the shape.
  const detectors = reader.object(value, "detectors", Object.keys(value ?? {})) ?? {};
  const result: Record<string, DetectorAction> = {};
  for (const [name, action] of Object.entries(detectors)) result[name] = reader.string(action, `detectors.${name}`) as DetectorAction;
  return result;
}

function readFieldRules(reader: ConfigReader, value: unknown): FieldRule[] {
  return reader.array(value, "fieldRules").flatMap((item, index) => {
    const path = `fieldRules[${index}]`;
    const rule = reader.object(item, path, ["path", "action"]);
    if (rule === undefined) return [];
    return [{ path: reader.string(rule["path"], `${path}.path`), action: reader.string(rule["action"], `${path}.action`) as FieldAction }];
  });
}

function readCustomRules(reader: ConfigReader, value: unknown): CustomRule[] {
  return reader.array(value, "customRules").flatMap((item, index) => {
    const path = `customRules[${index}]`;
    const rule = reader.object(item, path, ["name", "pattern", "flags", "action", "replacement"]);
    if (rule === undefined) return [];
    const flags = reader.optionalString(rule["flags"], `${path}.flags`);
    const replacement = reader.optionalString(rule["replacement"], `${path}.replacement`);
    return [
      {
        name: reader.string(rule["name"], `${path}.name`),
        pattern: reader.string(rule["pattern"], `${path}.pattern`),
        action: reader.string(rule["action"], `${path}.action`) as CustomAction,
        ...(flags === undefined ? {} : { flags }),
        ...(replacement === undefined ? {} : { replacement }),
      },
    ];
  });
}

function readAllow(reader: ConfigReader, value: unknown): AllowList {
  if (value === undefined) return { values: [], patterns: [], paths: [] };
  const allow = reader.object(value, "allow", ["values", "patterns", "paths"]) ?? {};
  return {
    values: reader.strings(allow["values"], "allow.values"),
    patterns: reader.strings(allow["patterns"], "allow.patterns"),
    paths: reader.strings(allow["paths"], "allow.paths"),
  };
}

function problemPath(problem: string): string {
  return problem.slice(0, problem.indexOf(": "));
}

/** A config nests four levels; anything far deeper is refused before a parser recurses into it. */
const MAX_NESTING = 64;
const MAX_CONFIG_CHARS = 1_000_000;

/** The deepest run of open brackets or braces outside strings, or of indentation steps: cheap, and before any parser runs. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote = "";
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote !== "") {
      if (c === "\\") i += 1;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "[" || c === "{") {
      depth += 1;
      deepest = Math.max(deepest, depth);
    } else if ((c === "]" || c === "}") && depth > 0) {
      depth -= 1;
    }
  }
  const indents = text.split("\n").map((line) => line.length - line.trimStart().length);
  return Math.max(deepest, Math.ceil(Math.max(0, ...indents) / 2));
}

/** Parses YAML text into plain data, or throws a ConfigurationError naming `source`; see ./yaml.ts. */
export type YamlReader = (text: string, source: string) => unknown;

function parseText(text: string, source: string, yaml: YamlReader | undefined): unknown {
  if (text.length > MAX_CONFIG_CHARS)
    throw new ConfigurationError(`${source}: ${text.length} characters is more than a sanitizer config may hold (${MAX_CONFIG_CHARS})`);
  if (nestingDepth(text) > MAX_NESTING) throw new ConfigurationError(`${source}: nested more than ${MAX_NESTING} levels deep; a sanitizer config needs four`);
  const lower = source.toLowerCase();
  const json = lower.endsWith(".json") || (!lower.endsWith(".yaml") && !lower.endsWith(".yml") && text.trimStart().startsWith("{"));
  if (json) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ConfigurationError(`${source}: not valid JSON: ${(error as Error).message}`);
    }
  }
  if (yaml === undefined) {
    throw new ConfigurationError(
      `${source}: this runtime reads sanitizer configs as JSON only (the Lambda: Terraform's sanitizer_config converts YAML to JSON); got YAML or not JSON`,
    );
  }
  return yaml(text, source);
}

/**
 * A sanitizer config from JSON or YAML text (`.json`/`.yaml`/`.yml` by name, else a leading `{` means JSON);
 * YAML only with a reader (the Lambda's bundle leaves the YAML parser out).
 * Omitted sections keep the built-in defaults; every problem is reported with its path and value.
 */
export function parseSanitizerConfig(text: string, source: string, yaml?: YamlReader): SanitizerConfig {
  const data = parseText(text, source, yaml);
  const reader = new ConfigReader();
  const root = reader.object(data, "", ["version", "detectors", "fieldRules", "customRules", "allow"]);
  if (root === undefined) throw new ConfigurationError(`${source}: invalid sanitizer config:\n  - ${reader.problems.join("\n  - ")}`);
  if (root["version"] !== 1) reader.problems.push(`version: ${describeValue(root["version"])} is not a supported version (write \`version: 1\`)`);
  const defaults = defaultSanitizerConfig();
  const config: SanitizerConfig = {
    version: 1,
    detectors: { ...defaults.detectors, ...readDetectors(reader, root["detectors"]) },
    fieldRules: readFieldRules(reader, root["fieldRules"]),
    customRules: readCustomRules(reader, root["customRules"]),
    allow: readAllow(reader, root["allow"]),
  };
  // Shape problems first; a value already reported as the wrong type is not reported again as a wrong value.
  const reported = new Set(reader.problems.map(problemPath));
  const problems = [...reader.problems, ...sanitizerConfigProblems(config).filter((problem) => !reported.has(problemPath(problem)))];
  if (problems.length > 0) throw new ConfigurationError(`${source}: invalid sanitizer config:\n  - ${problems.join("\n  - ")}`);
  return config;
}
