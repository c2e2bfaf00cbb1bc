/** Key-path patterns (`user.id`, `http.headers.*`, `**.password`) matched one key at a time while walking a record. */

const ONE = "*";
const ANY_DEPTH = "**";

/** The segments of a pattern, lower-cased, or a problem description. */
export function parseKeyPathPattern(pattern: string): readonly string[] | string {
  if (pattern.trim() === "") return "must not be empty";
  const segments = pattern.split(".").map((segment) => segment.trim().toLowerCase());
  if (segments.some((segment) => segment === "")) return "has an empty segment (`a..b`, or a leading or trailing dot)";
  if (segments.some((segment) => segment.includes("*") && segment !== ONE && segment !== ANY_DEPTH)) {
    return "uses `*` inside a segment; wildcards are whole segments: `*` (one key) or `**` (any depth)";
  }
  return segments;
}

interface Item {
  readonly pattern: number;
  readonly position: number;
}

/** One state of the combined matcher: which patterns could still match, and which match right here. */
export class PathState {
  /** Indexes of the patterns that match the path leading here, ascending. */
  readonly matches: readonly number[];

  constructor(
    readonly items: readonly Item[],
    patterns: readonly (readonly string[])[],
  ) {
    this.matches = items.filter((item) => item.position === (patterns[item.pattern] as readonly string[]).length).map((item) => item.pattern);
  }
}

/** Interns the states so each (state, key) transition is computed once and then looked up. */
export class PathMatcher {
  readonly root: PathState;
  private readonly states = new Map<string, PathState>();

  constructor(private readonly patterns: readonly (readonly string[])[]) {
    this.root = this.intern(patterns.map((_, pattern) => ({ pattern, position: 0 })));
  }

  next(state: PathState, key: string): PathState {
    if (state.items.length === 0) return state;
    const lower = key.toLowerCase();
    const items: Item[] = [];
    for (const item of state.items) {
      const segments = this.patterns[item.pattern] as readonly string[];
      const segment = segments[item.position];
      if (segment === undefined) continue;
      if (segment === ANY_DEPTH) items.push(item);
      else if (segment === ONE || segment === lower) items.push({ pattern: item.pattern, position: item.position + 1 });
    }
    return this.intern(items);
  }

  private intern(start: readonly Item[]): PathState {
    const items = this.closure(start);
    const id = items.map((item) => `${item.pattern}:${item.position}`).join(",");
    let state = this.states.get(id);
    if (state === undefined) {
      state = new PathState(items, this.patterns);
      this.states.set(id, state);
    }
    return state;
  }

  /** `**` also matches zero segments, so a state at `**` is also at the segment after it. */
  private closure(start: readonly Item[]): Item[] {
    const seen = new Set<string>();
    const items: Item[] = [];
    const pending = [...start];
    for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
      const id = `${item.pattern}:${item.position}`;
      if (seen.has(id)) continue;
      seen.add(id);
      items.push(item);
      if ((this.patterns[item.pattern] as readonly string[])[item.position] === ANY_DEPTH) pending.push({ pattern: item.pattern, position: item.position + 1 });
    }
    return items.sort((a, b) => a.pattern - b.pattern || a.position - b.position);
  }
}
