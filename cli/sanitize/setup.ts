import type { SanitizerConfig } from "../../shared/sanitize/config.js";
// Not the package index: worker threads load this file, and the index would add the YAML parser to their start-up.
import { Sanitizer } from "../../shared/sanitize/sanitizer.js";

/** What a sanitizer is built from: plain data, so each worker thread builds its own from the config the command checked. */
export interface SanitizerSetup {
  readonly config: SanitizerConfig;
  readonly hmacKey?: Uint8Array;
}

export function createSanitizer(setup: SanitizerSetup): Sanitizer {
  return new Sanitizer(setup.config, { hmacKey: setup.hmacKey });
}
