import type { CredentialRule, FieldAction } from "./catalog.js";
import type { PathState } from "./key-path.js";
import { PathMatcher } from "./key-path.js";
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
  /** The credential rule this key's name calls for, when that rule is on. */
  readonly secret: CredentialRule | undefined;
  readonly state: PathState;
  /** Shared by every node of the same matcher state, since a child depends only on the state and the key. */
  readonly children: Map<string, KeyNode>;
  /** Strings seen at this path that came out unchanged (see UnchangedStrings). */
  readonly unchanged: UnchangedStrings;
}

/** Remembered unchanged strings across all paths: at most a few MB. */
const UNCHANGED_BUDGET = 32_768;

/** Records with unbounded key sets (maps keyed by id) stop being cached past this many children per state. */
const CHILDREN_LIMIT = 4096;

/** Field rules and allow paths as one matcher; arrays add no segment, so array items share their key's node. */
export class KeyNodes {
  readonly root: KeyNode;
  private readonly matcher: PathMatcher;
  private readonly childMaps = new Map<PathState, Map<string, KeyNode>>();
  private readonly unchangedBudget = new UnchangedBudget(UNCHANGED_BUDGET);

  constructor(
    private readonly fieldRules: readonly CompiledFieldRule[],
    fieldPatterns: readonly (readonly string[])[],
    allowPatterns: readonly (readonly string[])[],
    private readonly secretEnabled: (rule: CredentialRule) => boolean,
  ) {
    this.matcher = new PathMatcher([...fieldPatterns, ...allowPatterns]);
    this.root = this.node(this.matcher.root, undefined, true);
  }

  child(parent: KeyNode, key: string): KeyNode {
    let child = parent.children.get(key);
    if (child === undefined) {
      const cached = parent.children.size < CHILDREN_LIMIT;
      child = this.node(this.matcher.next(parent.state, key), key, cached);
      if (cached) parent.children.set(key, child);
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

  /** A node that is not cached is built again for every record, so remembering strings in it would be wasted. */
  private node(state: PathState, key: string | undefined, cached: boolean): KeyNode {
    const first = state.matches[0];
    const secret = key === undefined ? undefined : secretKeyRule(key);
    let children = this.childMaps.get(state);
    if (children === undefined) {
      children = new Map();
      this.childMaps.set(state, children);
    }
    return {
      field: first !== undefined && first < this.fieldRules.length ? this.fieldRules[first] : undefined,
      allowed: state.matches.some((index) => index >= this.fieldRules.length),
      secret: secret !== undefined && this.secretEnabled(secret) ? secret : undefined,
      state,
      children,
      unchanged: cached ? new UnchangedStrings(this.unchangedBudget) : UnchangedStrings.NONE,
    };
  }
}
