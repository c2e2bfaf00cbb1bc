import { ConfigurationError } from "../core/errors.js";
import type { SettingSpec } from "./spec.js";

export type Environment = Readonly<Record<string, string | undefined>>;

/** Collects every problem so one run reports them all. */
export class SettingsReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  raw(spec: SettingSpec): string | undefined {
    const value = this.env[spec.name]?.trim();
    if (value !== undefined && value !== "") return value;
    if (spec.required) this.problems.push(`${spec.name} is required: ${spec.description}`);
    return spec.default;
  }

  string(spec: SettingSpec): string {
    return this.raw(spec) ?? "";
  }

  integer(spec: SettingSpec, min: number, max: number): number {
    const text = this.raw(spec) ?? "";
    const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${spec.name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
      return min;
    }
    return value;
  }

  list(spec: SettingSpec): string[] {
    return (this.raw(spec) ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
  }

  check(condition: boolean, problem: string): void {
    if (!condition) this.problems.push(problem);
  }

  /** Throws one ConfigurationError naming every bad setting. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigurationError(`invalid settings:\n  - ${this.problems.join("\n  - ")}`);
  }
}
