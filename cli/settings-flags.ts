import { ConfigurationError } from "../shared/core/errors.js";
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
