import { parseDocument } from "yaml";
import { ConfigurationError } from "../core/errors.js";
import type { YamlReader } from "./parse-config.js";

/**
 * The YAML half of parseSanitizerConfig, in its own module so that a bundle that never reads YAML
 * (the Lambda: Terraform hands it JSON) leaves the parser out.
 */
export const readYaml: YamlReader = (text, source) => {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = document.errors[0];
  if (error !== undefined) throw new ConfigurationError(`${source}: not valid YAML: ${error.message}`);
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (aliasError) {
    // Unresolved aliases, alias bombs: yaml throws ReferenceError while building the value.
    throw new ConfigurationError(`${source}: not valid YAML: ${(aliasError as Error).message}`);
  }
};
