import type { CustomAction, DetectorAction, DetectorFamily, DetectorRule, FieldAction } from "./catalog.js";
import { DETECTOR_FAMILIES, familyOf } from "./catalog.js";

export interface FieldRule {
  /** Key path, case-insensitive: `user.id`, `http.headers.*` (one segment), `**.password` (any depth). Arrays add no segment. */
  readonly path: string;
  readonly action: FieldAction;
}

export interface CustomRule {
  /** Counted under this name; markers read `[REDACTED:<name>]`. */
  readonly name: string;
  /** JavaScript regular expression source; the whole match is replaced (use lookbehind to keep context). */
  readonly pattern: string;
  readonly flags?: string;
  readonly action: CustomAction;
  /** Literal text to write instead of the marker (action `redact` only). */
  readonly replacement?: string;
}

export interface AllowList {
  /** Exact values (a whole string, or the text a detector matched) left as they are. */
  readonly values: readonly string[];
  /** Regular expressions; a detector match they find is left as it is. */
  readonly patterns: readonly string[];
  /** Key paths whose values (and everything below) skip the detectors; field rules still apply. */
  readonly paths: readonly string[];
}

/** Keys: a family, one of our rule names, or a rule of the public rule set by its id (`generic-api-key`). */
export type DetectorSettings = Readonly<Partial<Record<DetectorFamily | DetectorRule | (string & {}), DetectorAction>>>;

export interface SanitizerConfig {
  readonly version: 1;
  /** Action per family (`email`, `card`, `ip`, `credentials`) or per rule (`jwt`, `ipv6`, …); a rule's own entry wins. */
  readonly detectors: DetectorSettings;
  /** The first rule whose path matches a key decides its value. */
  readonly fieldRules: readonly FieldRule[];
  /** Run before the built-in detectors, in order. */
  readonly customRules: readonly CustomRule[];
  readonly allow: AllowList;
}

/** The safe built-in rule set: every detector on, nothing pseudonymized, so no key is needed. */
export function defaultSanitizerConfig(): SanitizerConfig {
  return {
    version: 1,
    detectors: { email: "redact", card: "redact", ip: "mask", credentials: "redact" },
    fieldRules: [],
    customRules: [],
    allow: { values: [], patterns: [], paths: [] },
  };
}

/** The action in force for one built-in rule: its own entry, else its family's, else the family default. */
export function detectorAction(detectors: DetectorSettings, rule: string): DetectorAction {
  const family = familyOf(rule) as DetectorFamily;
  return detectors[rule] ?? detectors[family] ?? DETECTOR_FAMILIES[family].defaultAction;
}
