import { parseArgs } from "node:util";
import { CliError } from "./errors.js";

export interface FlagSpec {
  readonly name: string;
  readonly description: string;
  readonly boolean?: boolean;
  readonly required?: boolean;
  readonly default?: string;
}

export type ParsedFlags = Readonly<Record<string, string | boolean | undefined>>;

const FLAG_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * `--name value`, `--name=value` and boolean `--name`, tokenized by `node:util` parseArgs; unknown flags are
 * errors, never ignored. parseArgs runs non-strict only so that each refusal can name the flag in our words
 * (its strict errors differ by Node version) and so that `--out --force` is "--out needs a value", not an out
 * directory called `--force`.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const options = Object.fromEntries(specs.map((spec) => [spec.name, { type: spec.boolean ? ("boolean" as const) : ("string" as const) }]));
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, string | boolean | undefined> = {};
  for (const token of tokens) {
    if (token.kind === "positional") throw new CliError(`unexpected argument ${JSON.stringify(token.value)}`);
    if (token.kind === "option-terminator") throw new CliError(`unexpected argument "--"`);
    if (!token.rawName.startsWith("--") || !FLAG_NAME.test(token.name))
      throw new CliError(`unexpected argument ${JSON.stringify(argv[token.index] ?? token.rawName)}`);
    const spec = byName.get(token.name);
    if (spec === undefined) throw new CliError(`unknown flag --${token.name} (known: ${specs.map((s) => `--${s.name}`).join(", ")})`);
    if (spec.boolean) {
      if (token.value !== undefined) throw new CliError(`--${token.name} takes no value`);
      flags[token.name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) throw new CliError(`--${token.name} needs a value`);
    flags[token.name] = token.value;
  }
  for (const spec of specs) {
    if (flags[spec.name] === undefined && spec.default !== undefined) flags[spec.name] = spec.default;
    if (flags[spec.name] === undefined && spec.required) throw new CliError(`--${spec.name} is required: ${spec.description}`);
  }
  return flags;
}

export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === "string" ? value : undefined;
}

export function integerFlag(flags: ParsedFlags, name: string, min: number, max: number): number | undefined {
  const text = stringFlag(flags, name);
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new CliError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

export function usage(command: string, summary: string, specs: readonly FlagSpec[]): string {
  const width = Math.max(...specs.map((s) => s.name.length + (s.boolean ? 0 : 8)));
  const lines = specs.map((s) => {
    const left = `--${s.name}${s.boolean ? "" : " <value>"}`.padEnd(width + 4);
    const note = s.required ? " (required)" : s.default !== undefined ? ` (default: ${s.default})` : "";
    return `  ${left}${s.description}${note}`;
  });
  return `usage: logexport ${command} [flags]\n\n${summary}\n\n${lines.join("\n")}\n`;
}
