import type { SanitizerConfig } from "../../../shared/sanitize/index.js";
import { defaultSanitizerConfig, Sanitizer } from "../../../shared/sanitize/index.js";

/** A 32-byte test key; real keys come from LOGEXPORT_HMAC_KEY. */
export const TEST_KEY = new Uint8Array(32).fill(7);

export function sanitizer(overrides: Partial<SanitizerConfig> = {}, hmacKey?: Uint8Array): Sanitizer {
  return new Sanitizer({ ...defaultSanitizerConfig(), ...overrides }, hmacKey === undefined ? {} : { hmacKey });
}

/** Text through the default rules. */
export function scrub(text: string): string {
  return sanitizer().sanitizeText(text);
}
