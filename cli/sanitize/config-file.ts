import { readFile } from "node:fs/promises";
import { defaultSanitizerConfig, hmacKeyFromSetting, parseSanitizerConfig } from "../../shared/sanitize/index.js";
import { readYaml } from "../../shared/sanitize/yaml.js";
import type { Environment } from "../../shared/settings/env.js";
import { CliError } from "../errors.js";
import { errorCode } from "./output.js";
import type { SanitizerSetup } from "./setup.js";

/** The built-in rules, or the --config file's; the key from LOGEXPORT_HMAC_KEY. Bad input is a ConfigurationError naming it. */
export async function loadSanitizerSetup(configPath: string | undefined, env: Environment): Promise<SanitizerSetup> {
  const hmacKey = hmacKeyFromSetting(env.LOGEXPORT_HMAC_KEY);
  if (configPath === undefined) return { config: defaultSanitizerConfig(), hmacKey };
  const text = await readFile(configPath, "utf8").catch((error: unknown) => {
    throw new CliError(`--config ${configPath}: cannot read it (${errorCode(error)})`);
  });
  return { config: parseSanitizerConfig(text, configPath, readYaml), hmacKey };
}
