import type { CredentialRule, FieldAction } from "./catalog.js";
import type { PathState } from "./key-path.js";
import { PathMatcher } from "./key-path.js";
import { detached } from "./detached.js";
import { isIdentifierKey } from "./identifier-keys.js";
import type { SecretRule } from "./text/secret-rules.js";
import { secretKeyRule } from "./secret-keys.js";
import { UnchangedBudget, UnchangedStrings } from "./unchanged-strings.js";

export interface CompiledFieldRule {
  /** Counted and marked as `field:<path as configured>`. */
  readonly name: string;
  readonly action: FieldAction;
}

/** What the walk knows about one key path: found once per distinct path, then looked up per record. */
export interface KeyNode {
  /** The first field rule whose pattern matches this path. */
  readonly field: CompiledFieldRule | undefined;
  /** An allow path matches here: detectors skip this value and everything below it. */
  readonly allowed: boolean;
  /** The key names a user (see identifier-keys; `id` and `name` too inside an object that does): its strings and numbers are pseudonymized or redacted. */
  readonly identifier: boolean;
  /** The credential rule this key's name calls for, when that rule is on, or else its parent's: everything under a credential key is one. */
  readonly secret: CredentialRule | undefined;
  readonly state: PathState;
  /** Shared by every node of the same matcher state, secret and identifier flag, since a child depends only on them and the key. */
  readonly children: Map<string, KeyNode>;
  /** Strings seen at this path that came out unchanged (see UnchangedStrings). */
  readonly unchanged: UnchangedStrings;
  /** The key names a header or parameter logged as a pair (`{"name": "X-Api-Key", "value": …}`); see pairValueRule. */
  readonly pairName: boolean;
  /** The key holds such a pair's value. */
  readonly pairValue: boolean;
  /** Assignment rules of the public rule set whose keyword the key holds (`cloudflare_key`): a whole value in their format is a secret. */
  readonly valueRules: readonly SecretRule[];
  /** The keys of the last object met at this path, in order (see KeyOrder). */
  readonly keyOrder: KeyOrder;
}

/** Keys remembered per position: the first this many of an object; maps keyed by ids are not worth predicting past them. */
const MAX_PREDICTED_KEYS = 64;

/**
 * The keys an object at one path held the last time, by position, with their nodes. Lines of one shape repeat
 * their keys in order, so the line scanner checks the expected key in place instead of slicing the key out and
 * looking it up.
 */
export class KeyOrder {
  private readonly keys: (string | undefined)[] = [];
  private readonly nodes: KeyNode[] = [];

  /** The key expected at this position, or undefined. */
  expected(position: number): string | undefined {
    return this.keys[position];
  }

  node(position: number): KeyNode {
    return this.nodes[position] as KeyNode;
  }

  /** Remembers a key as met, unless its JSON text would differ from it (an escape) or it is past MAX_PREDICTED_KEYS. */
  remember(position: number, key: string, node: KeyNode): void {
    if (position >= MAX_PREDICTED_KEYS || key.includes('"') || key.includes("\\")) return;
    this.keys[position] = detached(key);
    this.nodes[position] = node;
  }
}

export interface KeyNodeOptions {
  /** Whether the credential rule a key name calls for is on. */
  readonly secretEnabled: (rule: CredentialRule) => boolean;
  /** Whether keys that name a user are looked for. */
  readonly identifiers: boolean;
  readonly valueRules: (key: string) => readonly SecretRule[];
}

const PAIR_NAME_KEYS = new Set(["name", "key", "header", "headername", "field", "param", "parameter"]);
const PAIR_VALUE_KEYS = new Set(["value", "values", "val"]);

/** Remembered unchanged strings across all paths: at most a few MB. */
const UNCHANGED_BUDGET = 32_768;

/** Records with unbounded key sets (maps keyed by id) stop being cached past this many children per state. */
const CHILDREN_LIMIT = 4096;

/** Field rules and allow paths as one matcher; arrays add no segment, so array items share their key's node. */
export class KeyNodes {
  readonly root: KeyNode;
  private readonly matcher: PathMatcher;
  private readonly childMaps = new Map<PathState, Map<string, Map<string, KeyNode>>>();
  private readonly unchangedBudget = new UnchangedBudget(UNCHANGED_BUDGET);

  constructor(
    private readonly fieldRules: readonly CompiledFieldRule[],
    fieldPatterns: readonly (readonly string[])[],
    allowPatterns: readonly (readonly string[])[],
    private readonly options: KeyNodeOptions,
  ) {
    this.matcher = new PathMatcher([...fieldPatterns, ...allowPatterns]);
    this.root = this.node(this.matcher.root, undefined, undefined, false, true);
  }

  child(parent: KeyNode, key: string): KeyNode {
    let child = parent.children.get(key);
    if (child === undefined) {
      const cached = parent.children.size < CHILDREN_LIMIT;
      child = this.node(this.matcher.next(parent.state, key), key, parent.secret, parent.identifier, cached);
      if (cached) parent.children.set(detached(key), child);
    }
    return child;
  }

  /** The nodes along a key path, root excluded. */
  path(keys: readonly string[]): KeyNode[] {
    const nodes: KeyNode[] = [];
    let node = this.root;
    for (const key of keys) {
      node = this.child(node, key);
      nodes.push(node);
    }
    return nodes;
  }

  /** Children depend on the matcher state and on what a node hands down: its credential rule and whether it names a user. */
  private childMap(state: PathState, secret: CredentialRule | undefined, identifier: boolean): Map<string, KeyNode> {
    let byInheritance = this.childMaps.get(state);
    if (byInheritance === undefined) {
      byInheritance = new Map();
      this.childMaps.set(state, byInheritance);
    }
    const inherited = `${secret ?? ""}/${identifier}`;
    let children = byInheritance.get(inherited);
    if (children === undefined) {
      children = new Map();
      byInheritance.set(inherited, children);
    }
    return children;
  }

  /** A node that is not cached is built again for every record, so remembering strings in it would be wasted. */
  private node(state: PathState, key: string | undefined, parentSecret: CredentialRule | undefined, parentIdentifier: boolean, cached: boolean): KeyNode {
    const first = state.matches[0];
    const own = key === undefined ? undefined : secretKeyRule(key);
    const secret = own !== undefined && this.options.secretEnabled(own) ? own : parentSecret;
    const identifier = this.options.identifiers && key !== undefined && isIdentifierKey(key, parentIdentifier);
    return {
      field: first !== undefined && first < this.fieldRules.length ? this.fieldRules[first] : undefined,
      allowed: state.matches.some((index) => index >= this.fieldRules.length),
      secret,
      identifier,
      state,
      children: this.childMap(state, secret, identifier),
      unchanged: cached ? new UnchangedStrings(this.unchangedBudget) : UnchangedStrings.NONE,
      pairName: key !== undefined && PAIR_NAME_KEYS.has(key.toLowerCase()),
      pairValue: key !== undefined && PAIR_VALUE_KEYS.has(key.toLowerCase()),
      valueRules: key === undefined ? [] : this.options.valueRules(key),
      keyOrder: new KeyOrder(),
    };
  }

  /** The credential rule a pair's name calls for (`X-Api-Key` → api-key) when that rule is on. */
  pairRule(name: string): CredentialRule | undefined {
    const rule = secretKeyRule(name);
    return rule !== undefined && this.options.secretEnabled(rule) ? rule : undefined;
  }

  /** The node a pair's value takes: its own, with the credential rule its name calls for. */
  asSecret(node: KeyNode, rule: CredentialRule): KeyNode {
    return { ...node, secret: rule, children: this.childMap(node.state, rule, node.identifier), unchanged: UnchangedStrings.NONE, keyOrder: new KeyOrder() };
  }
}
