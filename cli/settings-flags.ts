import { ConfigurationError } from "../shared/core/errors.js";
import { stringFlag, type ParsedFlags } from "./args.js";
import { CliError } from "./errors.js";

/**
 * A settings error in the words of the command line: every setting a flag gave is named by its flag
 * (`names`: setting name → `--flag`), the problems on one line. The CLIs build the same Settings the
 * clouds read, so their checks and messages are the clouds' own.
 */
export function inFlagTerms<T>(names: ReadonlyMap<string, string>, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const message = error.message.replace(/\b(?:LOGEXPORT_[A-Z0-9_]+|AZURE_LOGS_ENDPOINT|ExportStorage(?:__[A-Za-z]+)?)\b/g, (name) => names.get(name) ?? name);
    throw new CliError(message.replace(/^invalid settings:\n\s+- /, "").replace(/\n\s+- /g, "; "));
  }
}

/** Which setting each flag gives, as `[flag, setting name]`. */
export type FlagSettings = ReadonlyArray<readonly [flag: string, setting: string]>;

/** The settings the given flags set; a flag left out sets nothing, so the environment and the defaults apply. */
export function settingsFromFlags(flags: ParsedFlags, pairs: FlagSettings): Record<string, string> {
  return Object.fromEntries(
    pairs.flatMap(([flag, setting]) => {
      const value = stringFlag(flags, flag);
      return value === undefined ? [] : [[setting, value]];
    }),
  );
}

/** Setting name → `--flag`, for {@link inFlagTerms}. */
export function flagNamesOf(pairs: FlagSettings): Map<string, string> {
  return new Map(pairs.map(([flag, setting]) => [setting, `--${flag}`]));
}
