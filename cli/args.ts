import { CliError } from "./errors.js";

export interface FlagSpec {
  readonly name: string;
  readonly description: string;
  readonly boolean?: boolean;
  readonly required?: boolean;
  readonly default?: string;
}

export type ParsedFlags = Readonly<Record<string, string | boolean | undefined>>;

/** `--name value`, `--name=value` and boolean `--name`; unknown flags are errors, never ignored. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const flags: Record<string, string | boolean | undefined> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? "";
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new CliError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1] ?? "";
    const spec = byName.get(name);
    if (spec === undefined) throw new CliError(`unknown flag --${name} (known: ${specs.map((s) => `--${s.name}`).join(", ")})`);
    if (spec.boolean) {
      if (match[2] !== undefined) throw new CliError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = match[2] ?? argv[++i];
    if (value === undefined || (match[2] === undefined && value.startsWith("--"))) throw new CliError(`--${name} needs a value`);
    flags[name] = value;
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
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new CliError(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
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
