import { ConfigurationError } from "../core/errors.js";
import type { RecordSanitizer } from "../core/ports.js";
import type { LogRecord } from "../core/records.js";
import type { CompiledConfig } from "./compile.js";
import { compileSanitizerConfig } from "./compile.js";
import type { SanitizerConfig } from "./config.js";
import type { FieldSanitizer } from "./contained.js";
import { containedLine, containedObject, SANITIZER_FAILURE_MARKER, SANITIZER_FAILURES } from "./contained.js";
import { InvalidJsonLineError } from "./errors.js";
import { applyFieldRule, DROP } from "./field-actions.js";
import { HMAC_KEY_SETTING, MIN_HMAC_KEY_BYTES } from "./hmac-key.js";
import { jsonNumberValue, mayBeRounded, nestingDepth, parseJsonExact, setOwn, stringifyJson } from "./json-exact.js";
import type { CompiledFieldRule, KeyNode, KeyNodes } from "./key-nodes.js";
import type { CredentialRule } from "./catalog.js";
import { isRedactionMarker, redactionMarker } from "./catalog.js";
import type { LineValueRules } from "./line-scanner.js";
import { scanJsonLine } from "./line-scanner.js";
import { Pseudonymizer } from "./pseudonym.js";
import { RuleCounts } from "./rule-counts.js";
import { cardNumberDigits, looksLikeCard } from "./text/card.js";
import { KeywordGate } from "./text/keyword-gate.js";
import { hasAsciiEscape, scrubDecodedView } from "./text/percent.js";
import { replaceKeyedValue } from "./text/secret-rules.js";
import { GITLEAKS_VERSION } from "./rules/gitleaks.generated.js";
import { isIsoTimestamp } from "./text/timestamp.js";
import type { MatchContext, TextRule } from "./text/rule.js";

export interface SanitizerOptions {
  /** Pseudonymization key (LOGEXPORT_HMAC_KEY, resolved by the caller with hmacKeyFromSetting). */
  readonly hmacKey?: Uint8Array;
}

/**
 * Containers the structured walk enters, counting those of JSON embedded in strings; deeper ones are scanned
 * as text. Far above real logs, far below the stack (issue 15: 4,000 `[` in a User-Agent).
 */
export const MAX_DEPTH = 64;

/** The text rules whose hint gates a string passes, with their keyword-gate bits (0: not gated). */
interface HintedRules {
  readonly rules: readonly TextRule[];
  readonly bits: readonly number[];
  /** Some of them need a keyword, so the keyword pass is worth running. */
  readonly gated: boolean;
}

/** Counted under this name; the marker reads [REDACTED:user]. */
const IDENTIFIER_RULE = "user";

/** The name manifests record: the rule set's version, and what became of user identifiers (the summary says which). */
function sanitizerName(identifiers: "pseudonymize" | "redact" | "off"): string {
  const done = identifiers === "pseudonymize" ? "pseudonymized (HMAC)" : identifiers === "redact" ? "redacted (no HMAC key)" : "kept (identifiers off)";
  return `logexport-sanitizer/v2+gitleaks-${GITLEAKS_VERSION}; user identifiers ${done}`;
}

/** Percent-decoded views a string is also read as: `%2540` is `@` encoded twice. */
const MAX_DECODINGS = 2;

/** No built-in detector matches fewer characters (`::1`). */
const MIN_TEXT_LENGTH = 3;

const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function withoutDropped(object: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key in object) if (object[key] !== DROP) setOwn(result, key, object[key]);
  return result;
}

/**
 * Raw control characters, which JSON allows only as whitespace between tokens. The fast path does not look
 * inside strings for them, so under --strict a line with any takes the structured path, where JSON.parse judges.
 */
const CONTROL = /[\x00-\x1f]/;

/**
 * A line that could be a JSON scalar. Text logs often start with a digit (a timestamp); without this
 * check each such line would cost a thrown JSON.parse error before being sanitized as text.
 */
const JSON_SCALAR = /^\s*(?:"[^]*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)\s*$/;

/** Integers below this have at most 19 digits, the most a card number has. */
const ABOVE_19_DIGITS = 1e19;
/** The fewest and the most digits of a card number. */
const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;

const DOT = 46;
const LOWER_E = 101;
const DIGIT_2 = 50;
const DIGIT_6 = 54;

/**
 * Whether the number token line[start, end) is a card number as the structured walk judges it (by value,
 * so `4111111111111111.0` too). Without an exponent, a card's token starts with its issuer digit (2–6; not
 * `-`) and has 13–19 digits before any fraction: that check alone settles most numbers (timestamps, counts,
 * durations). Rounding a fraction can change the first digit only by carrying into d000…0, which fails Luhn.
 */
function mayBeCardNumber(line: string, start: number, end: number): boolean {
  let point = end;
  let exponent = false;
  for (let at = start; at < end && !exponent; at += 1) {
    const code = line.charCodeAt(at);
    if (code === DOT) point = at;
    else exponent = (code | 32) === LOWER_E;
  }
  if (!exponent) {
    const first = line.charCodeAt(start);
    const integerDigits = point - start;
    if (first < DIGIT_2 || first > DIGIT_6 || integerDigits < MIN_CARD_DIGITS || integerDigits > MAX_CARD_DIGITS) return false;
    // A JSON integer has no leading zeros, so its token is the digits the structured walk judges.
    if (point === end) return looksLikeCard(line.slice(start, end));
  }
  return cardNumberDigits(jsonNumberValue(line.slice(start, end))) !== undefined;
}

function lastNonSpace(text: string): number {
  let at = text.length - 1;
  while (at >= 0 && text.charCodeAt(at) <= 32) at -= 1;
  return at < 0 ? 0 : text.charCodeAt(at);
}

function firstNonSpace(text: string): number {
  let at = 0;
  while (at < text.length && text.charCodeAt(at) <= 32) at += 1;
  return at < text.length ? text.charCodeAt(at) : 0;
}

/**
 * The PII and secret scrubber: built-in detectors over every string (and
 * JSON inside strings), field rules by key path, custom regex rules and
 * allow-lists. Copy-on-write: what it does not change is returned as is.
 */
export class Sanitizer implements RecordSanitizer {
  readonly name: string;
  /** How values under keys that name a user are replaced: pseudonymized with an HMAC key, else redacted. */
  readonly identifierAction: "pseudonymize" | "redact" | "off";
  private readonly ruleCounts = new RuleCounts();
  private readonly compiled: CompiledConfig;
  private readonly context: MatchContext;
  private readonly keyNodes: KeyNodes;
  private readonly lineRules: LineValueRules = {
    child: (parent, key) => parent.children.get(key) ?? this.keyNodes.child(parent, key),
    string: (value, node, allowed, keyed, depth) => {
      // A pair's name that calls for a credential rule: its value, before or after it, is for the structured walk.
      if (keyed && node.pairName && !allowed && this.keyNodes.pairRule(value) !== undefined) return undefined;
      if (!keyed || node.field === undefined) return this.scrubValue(value, node, allowed, depth);
      const result = this.applyField(node.field, value);
      return typeof result === "string" ? result : undefined;
    },
    passes: (_kind, node, _allowed, keyed) => !(keyed && node.field !== undefined),
    number: (line, start, end, node, allowed, keyed) => {
      if (keyed && node.field !== undefined) return false;
      if (allowed) return true;
      return node.secret === undefined && !node.identifier && (this.compiled.card === undefined || !mayBeCardNumber(line, start, end));
    },
  };
  private readonly fieldSanitizer: FieldSanitizer = (key, value) => {
    const child = this.keyNodes.child(this.keyNodes.root, key);
    return child.field === undefined ? this.walkValue(value, child, child.allowed, 0) : this.applyField(child.field, value);
  };
  private readonly rulesByHints: (HintedRules | undefined)[] = [];
  private readonly gate: KeywordGate;
  /** Set when the walk meets a number JSON.parse may have rounded (see json-exact). */
  private rounded = false;
  /** Set when such a number could be a card number, whose exact digits only the exact parse has. */
  private roundedCard = false;

  constructor(config: SanitizerConfig, options: SanitizerOptions = {}) {
    this.compiled = compileSanitizerConfig(config, "sanitizer config");
    this.keyNodes = this.compiled.keyNodes;
    this.gate = new KeywordGate(this.compiled.textRules);
    const key = options.hmacKey;
    if (key !== undefined && key.length < MIN_HMAC_KEY_BYTES)
      throw new ConfigurationError(`the HMAC key must hold at least ${MIN_HMAC_KEY_BYTES} bytes, got ${key.length}`);
    if (key === undefined && this.compiled.pseudonymizing.length > 0) {
      // Never fall back to unkeyed hashing: small id spaces are reversed by dictionary.
      throw new ConfigurationError(
        `rules ${this.compiled.pseudonymizing.join(", ")} pseudonymize, which needs a key: set ${HMAC_KEY_SETTING} (hex or base64, at least ${MIN_HMAC_KEY_BYTES} bytes; in the Lambda, LOGEXPORT_HMAC_KEY_SECRET_ARN)`,
      );
    }
    const pseudonyms = key === undefined ? undefined : new Pseudonymizer(key);
    const identifiers = this.compiled.identifiers;
    this.identifierAction = identifiers === undefined ? "off" : identifiers === "auto" ? (key === undefined ? "redact" : "pseudonymize") : identifiers;
    this.name = sanitizerName(this.identifierAction);
    const { allowValues, allowPatterns } = this.compiled;
    this.context = {
      counts: this.ruleCounts,
      allowed: (text) => (allowValues.size > 0 && allowValues.has(text)) || allowPatterns.some((pattern) => pattern.test(text)),
      pseudonym: (text) => {
        // The check above refuses a config that pseudonymizes without a key, so this guards against a bug only.
        if (pseudonyms === undefined) throw new ConfigurationError("pseudonymizing without an HMAC key");
        return pseudonyms.pseudonym(text);
      },
    };
  }

  /** Never throws for a value: a field that fails becomes the failure marker, counted as sanitizer_failures (see contained.ts). */
  sanitize(record: LogRecord): LogRecord {
    const mark = this.ruleCounts.mark();
    let result: LogRecord;
    try {
      result = this.walkObject(record, this.keyNodes.root, false, 0);
    } catch {
      this.ruleCounts.rewind(mark);
      result = containedObject(record, this.fieldSanitizer, this.ruleCounts).value;
    }
    this.ruleCounts.commit();
    return result;
  }

  sanitizeText(text: string): string {
    const result = this.containedText(text);
    this.ruleCounts.commit();
    return result;
  }

  /** One JSON Lines line: JSON comes back as JSON (the same line when nothing changed), anything else as sanitized text. Throws only for --strict. */
  sanitizeLine(line: string, strict = false): string {
    const mark = this.ruleCounts.mark();
    try {
      return this.sanitizeLineOrThrow(line, strict);
    } catch (error) {
      if (error instanceof InvalidJsonLineError) throw error;
      this.ruleCounts.rewind(mark);
      const result = containedLine(line, this.fieldSanitizer, this.ruleCounts) ?? this.containedText(line);
      this.ruleCounts.commit();
      return result;
    }
  }

  private sanitizeLineOrThrow(line: string, strict: boolean): string {
    const first = firstNonSpace(line);
    const container = first === OPEN_BRACE || first === OPEN_BRACKET;
    if (!strict && !container && !JSON_SCALAR.test(line)) return this.sanitizeText(line);
    if (container && !(strict && CONTROL.test(line))) {
      const mark = this.ruleCounts.mark();
      const scanned = scanJsonLine(line, this.keyNodes.root, this.lineRules, MAX_DEPTH);
      if (scanned !== undefined) {
        this.ruleCounts.commit();
        return scanned;
      }
      this.ruleCounts.rewind(mark);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      if (strict) throw new InvalidJsonLineError(error);
      return this.sanitizeText(line);
    }
    const result = this.scrubJson(line, parsed, this.keyNodes.root, false, 0) ?? line;
    this.ruleCounts.commit();
    return result;
  }

  private containedText(text: string): string {
    const mark = this.ruleCounts.mark();
    try {
      return this.scrubText(text);
    } catch {
      this.ruleCounts.rewind(mark);
      this.ruleCounts.add(SANITIZER_FAILURES);
      return SANITIZER_FAILURE_MARKER;
    }
  }

  counts(): Readonly<Record<string, number>> {
    return this.ruleCounts.snapshot();
  }

  /** Names of the rules that would change the value at this key path: field rules (also an ancestor's) and credential key names. */
  rulesTouching(path: readonly string[]): string[] {
    const names: string[] = [];
    let allowed = false;
    const nodes = this.keyNodes.path(path);
    nodes.forEach((node) => {
      if (node.field !== undefined && !names.includes(node.field.name)) names.push(node.field.name);
      allowed ||= node.allowed;
    });
    const last = nodes[nodes.length - 1];
    if (last?.secret !== undefined && !allowed) names.push(last.secret);
    return names;
  }

  /** A header or parameter logged as `{"name": "X-Api-Key", "value": …}`: the credential rule its name calls for. */
  private pairValueRule(object: Record<string, unknown>, node: KeyNode): CredentialRule | undefined {
    for (const key in object) {
      const value = object[key];
      if (typeof value !== "string" || !(node.children.get(key) ?? this.keyNodes.child(node, key)).pairName) continue;
      const rule = this.keyNodes.pairRule(value);
      if (rule !== undefined) return rule;
    }
    return undefined;
  }

  private walkObject(object: Record<string, unknown>, node: KeyNode, allowed: boolean, depth: number): Record<string, unknown> {
    let copy: Record<string, unknown> | undefined;
    let dropped = false;
    const pairRule = allowed ? undefined : this.pairValueRule(object, node);
    for (const key in object) {
      const value = object[key];
      const own = node.children.get(key) ?? this.keyNodes.child(node, key);
      const child = pairRule !== undefined && own.pairValue && own.secret === undefined ? this.keyNodes.asSecret(own, pairRule) : own;
      const next = child.field === undefined ? this.walkValue(value, child, allowed || child.allowed, depth) : this.applyField(child.field, value);
      if (next === value) continue;
      // A spread clone keeps the original's shape, so it is cheap to make and to serialize.
      copy ??= { ...object };
      if (next === DROP) dropped = true;
      setOwn(copy, key, next);
    }
    if (copy === undefined) return object;
    return dropped ? withoutDropped(copy) : copy;
  }

  private walkArray(array: readonly unknown[], node: KeyNode, allowed: boolean, depth: number): readonly unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < array.length; i += 1) {
      const value = array[i];
      const next = this.walkValue(value, node, allowed, depth);
      if (next === value) continue;
      copy ??= array.slice();
      copy[i] = next;
    }
    return copy ?? array;
  }

  /** `depth`: containers above this value, counting those of any JSON it is embedded in. */
  private walkValue(value: unknown, node: KeyNode, allowed: boolean, depth: number): unknown {
    switch (typeof value) {
      case "string":
        return this.scrubValue(value, node, allowed, depth);
      case "object":
        if (value === null) return value;
        if (depth >= MAX_DEPTH) return this.scrubDeep(value, allowed);
        if (Array.isArray(value)) return this.walkArray(value, node, allowed, depth + 1);
        return this.walkObject(value as Record<string, unknown>, node, allowed, depth + 1);
      case "number":
        if (mayBeRounded(value)) {
          this.rounded = true;
          if (this.compiled.card !== undefined && value > 0 && value < ABOVE_19_DIGITS) this.roundedCard = true;
        }
        return this.scrubNumber(value, node, allowed);
      case "bigint":
        return this.scrubNumber(value, node, allowed);
      default:
        return value;
    }
  }

  /** A number under a credential key is redacted; a card number held as a number becomes the card rule's string; any other stays a number. */
  private scrubNumber(value: number | bigint, node: KeyNode, allowed: boolean): unknown {
    if (allowed) return value;
    if (node.secret !== undefined) return this.compiled.credentials.replaceValue(node.secret, value.toString(), this.context);
    if (node.identifier) return this.replaceIdentifier(value.toString());
    const card = this.compiled.card;
    const digits = card === undefined ? undefined : cardNumberDigits(value);
    return digits === undefined ? value : (card?.replaceNumber(digits, this.context) ?? value);
  }

  /**
   * Past MAX_DEPTH a container is scanned as its JSON text, so no input nests the walk deeper: kept as it
   * was when the text rules change nothing, else written as the sanitized text (a string).
   */
  private scrubDeep(value: object, allowed: boolean): unknown {
    if (allowed) return value;
    const text = stringifyJson(value);
    const result = this.scrubText(text);
    return result === text ? value : result;
  }

  private scrubValue(value: string, node: KeyNode, allowed: boolean, depth: number): string {
    if (allowed) return value;
    if (node.secret !== undefined) return this.compiled.credentials.replaceValue(node.secret, value, this.context);
    if (node.identifier) return this.replaceIdentifier(value);
    if (node.valueRules.length > 0) {
      const keyed = replaceKeyedValue(value, node.valueRules, this.compiled.credentials, this.context);
      if (keyed !== undefined) return keyed;
    }
    if (node.unchanged.has(value)) return value;
    const result = this.scrubString(value, node, depth);
    if (result === value) node.unchanged.remember(value);
    return result;
  }

  private scrubString(text: string, node: KeyNode, depth: number): string {
    const first = text.charCodeAt(0);
    if (
      (first === OPEN_BRACE || first === OPEN_BRACKET) &&
      lastNonSpace(text) === (first === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET) &&
      depth + nestingDepth(text) <= MAX_DEPTH
    ) {
      const embedded = this.scrubEmbedded(text, node, depth);
      if (embedded !== undefined) return embedded;
    }
    return this.scrubText(text);
  }

  /** A string holding JSON is sanitized as JSON under its key's path; undefined when it does not parse. */
  private scrubEmbedded(text: string, node: KeyNode, depth: number): string | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    return this.scrubJson(text, parsed, node, false, depth) ?? text;
  }

  /** Sanitizes parsed JSON and writes it back; undefined when nothing changed, so the caller keeps the original text. */
  private scrubJson(text: string, parsed: unknown, node: KeyNode, allowed: boolean, depth: number): string | undefined {
    const mark = this.ruleCounts.mark();
    const roundedBefore = this.rounded;
    const roundedCardBefore = this.roundedCard;
    this.rounded = false;
    this.roundedCard = false;
    let source = parsed;
    let result = this.walkValue(parsed, node, allowed, depth);
    if (this.rounded && (result !== parsed || this.roundedCard)) {
      // A rewritten document must not carry JSON.parse's rounding of long integers, and a card number of
      // 17–19 digits is judged on its exact digits: walk the exact parse instead.
      this.ruleCounts.rewind(mark);
      source = parseJsonExact(text);
      result = this.walkValue(source, node, allowed, depth);
    }
    this.rounded = roundedBefore;
    this.roundedCard = roundedCardBefore;
    return result === source ? undefined : stringifyJson(result);
  }

  private scrubText(text: string): string {
    const { textRules, allowValues } = this.compiled;
    if ((text.length < MIN_TEXT_LENGTH && !this.compiled.alwaysRunText) || textRules.length === 0) return text;
    if ((allowValues.size > 0 && allowValues.has(text)) || (!this.compiled.alwaysRunText && isIsoTimestamp(text))) return text;
    return this.applyRules(text, 0);
  }

  /**
   * The text rules over the percent-decoded view first (twice at most, for text encoded twice), then over the
   * text: a rule that matches the escaped form (`token=…` up to the first quote) would otherwise take away the
   * context the decoded view needs.
   */
  private applyRules(text: string, decodings: number): string {
    let result = decodings < MAX_DECODINGS && hasAsciiEscape(text) ? scrubDecodedView(text, (decoded) => this.applyRules(decoded, decodings + 1)) : text;
    const { rules, bits, gated } = this.rulesFor(this.gate.hints(result));
    const keywords = gated ? this.gate.lastMask : 0;
    for (let index = 0; index < rules.length; index += 1) {
      const rule = rules[index] as TextRule;
      const bit = bits[index] as number;
      if (result.length >= rule.minLength && (bit === 0 || (keywords & bit) !== 0)) result = rule.apply(result, this.context);
    }
    return result;
  }

  /** The rules whose gates these hints pass, in order; built once per distinct hints value. */
  private rulesFor(hints: number): HintedRules {
    let hinted = this.rulesByHints[hints];
    if (hinted === undefined) {
      const rules = this.compiled.textRules.filter((rule) => (hints & rule.requires) === rule.requires);
      const bits = rules.map((rule) => this.gate.bit(rule));
      hinted = { rules, bits, gated: bits.some((bit) => bit !== 0) };
      this.rulesByHints[hints] = hinted;
    }
    return hinted;
  }

  /** A value under a key that names a user: its pseudonym with a key, else the marker; empty, allowed and redacted values stay. */
  private replaceIdentifier(value: string): string {
    if (value === "" || isRedactionMarker(value) || this.context.allowed(value)) return value;
    this.ruleCounts.add(IDENTIFIER_RULE);
    return this.identifierAction === "pseudonymize" ? this.context.pseudonym(value) : redactionMarker(IDENTIFIER_RULE);
  }

  private applyField(rule: CompiledFieldRule, value: unknown): unknown {
    const result = applyFieldRule(rule, value, this.context.pseudonym);
    if (result !== value) this.ruleCounts.add(rule.name);
    return result;
  }
}
