import type { SettingsReader } from "./env.js";
import type { SettingSpec } from "./spec.js";

export interface SanitizerSettings {
  readonly enabled: boolean;
  /** Inline config text, or a file path (resolved by the wiring). */
  readonly config: string | undefined;
  /** Raw key text; parsed (and checked) where the sanitizer is built. */
  readonly hmacKey: string | undefined;
  /** Where hmacKey came from, for errors (default: the LOGEXPORT_HMAC_KEY setting). */
  readonly hmacKeySource?: string;
}

/** The three sanitizer settings, read the same way for both clouds (only the default of the switch differs). */
export function readSanitizer(
  reader: SettingsReader,
  specs: { readonly sanitize: SettingSpec; readonly config: SettingSpec; readonly hmacKey: SettingSpec },
): SanitizerSettings {
  const mode = reader.string(specs.sanitize);
  reader.check(mode === "on" || mode === "off", `${specs.sanitize.name} must be on or off, got ${JSON.stringify(mode)}`);
  const config = reader.string(specs.config);
  return { enabled: mode === "on", config: config === "" ? undefined : config, hmacKey: reader.raw(specs.hmacKey) };
}
