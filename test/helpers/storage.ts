import { randomBytes } from "node:crypto";

let counter = 0;
const MAX_LENGTH = 56;

/**
 * A container/queue name unique per call (and per process), so tests sharing
 * one Azurite never collide: lowercase letters, digits and single hyphens,
 * starting with a letter or digit, 3-56 characters (63 is the service limit;
 * 56 leaves room for the Functions host's `-poison` queue suffix).
 *
 * The prefix is normalised to that alphabet and truncated so that the result
 * fits; it may be empty. Example: `uniqueName("Export Jobs")` →
 * `export-jobs-1-9f2c4a1b7e`.
 */
export function uniqueName(prefix = "t"): string {
  counter += 1;
  const suffix = `${counter.toString(36)}-${process.pid.toString(36)}${randomBytes(5).toString("hex")}`;
  const maxPrefix = MAX_LENGTH - suffix.length - 1;
  const cleaned = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+/, "")
    .slice(0, Math.max(0, maxPrefix))
    .replace(/-+$/, "");
  return cleaned ? `${cleaned}-${suffix}` : `t-${suffix}`;
}
