import { ConfigurationError } from "../core/errors.js";

export const HMAC_KEY_SETTING = "LOGEXPORT_HMAC_KEY";
export const MIN_HMAC_KEY_BYTES = 32;

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * The pseudonymization key from its setting: hex, or base64 (standard or URL-safe), of at least 32 bytes.
 * Text that is both (64 hex digits) is read as hex. `source` names where the text came from (the setting,
 * or a Secrets Manager secret) in errors, which never repeat the value: it is a secret.
 */
export function hmacKeyFromSetting(value: string | undefined, source: string = HMAC_KEY_SETTING): Uint8Array | undefined {
  const text = value?.trim() ?? "";
  if (text === "") return undefined;
  let key: Buffer;
  if (HEX.test(text)) key = Buffer.from(text, "hex");
  else if (BASE64.test(text) && text.length % 4 !== 1) key = Buffer.from(text, "base64");
  else throw new ConfigurationError(`${source} must be hex or base64 (${text.length} characters given, value not shown)`);
  if (key.length < MIN_HMAC_KEY_BYTES) {
    throw new ConfigurationError(`${source} must hold at least ${MIN_HMAC_KEY_BYTES} bytes (64 hex digits or 44 base64 characters), got ${key.length} bytes`);
  }
  return new Uint8Array(key);
}
