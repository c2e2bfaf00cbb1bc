import { readFileSync } from "node:fs";
import { ConfigurationError } from "../core/errors.js";
import type { RecordSanitizer } from "../core/ports.js";
import { defaultSanitizerConfig, hmacKeyFromSetting, IdentitySanitizer, parseSanitizerConfig, Sanitizer, type YamlReader } from "../sanitize/index.js";
import type { SanitizerSettings } from "../settings/sanitizer.js";

/** Inline JSON or YAML (it has a brace or a line break), else a file path. */
function configText(value: string): { text: string; source: string } {
  if (/^\s*\{/.test(value) || value.includes("\n")) return { text: value, source: "LOGEXPORT_SANITIZER_CONFIG" };
  try {
    return { text: readFileSync(value, "utf8"), source: value };
  } catch (error) {
    throw new ConfigurationError(`LOGEXPORT_SANITIZER_CONFIG: cannot read ${JSON.stringify(value)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Builds the sanitizer once, at startup, so a bad config or a missing key
 * fails before any row is read; then hands out a fresh instance per part
 * (each counts its own matches). YAML configs need `yaml` (shared/sanitize/yaml.ts).
 */
export function sanitizerFactory(settings: SanitizerSettings, yaml: YamlReader | undefined): () => RecordSanitizer {
  if (!settings.enabled) return () => new IdentitySanitizer();
  const config =
    settings.config === undefined ? defaultSanitizerConfig() : (({ text, source }) => parseSanitizerConfig(text, source, yaml))(configText(settings.config));
  const options = { hmacKey: hmacKeyFromSetting(settings.hmacKey, settings.hmacKeySource) };
  new Sanitizer(config, options);
  return () => new Sanitizer(config, options);
}
