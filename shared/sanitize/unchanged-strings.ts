import { detached } from "./detached.js";

/**
 * Strings one key path carried that the detectors left unchanged. Log
 * fields repeat (levels, namespaces, user agents), and a set lookup is
 * cheaper than scanning them again. A path whose values rarely repeat
 * (timestamps, ids) stops remembering after one window and then costs
 * nothing; a budget shared by all paths keeps memory flat.
 */
const WINDOW = 512;
const MIN_HITS = WINDOW / 4;
const MAX_PER_PATH = 1024;
const MAX_LENGTH = 128;

/** Entries left for all paths of one sanitizer. */
export class UnchangedBudget {
  constructor(public left: number) {}
}

export class UnchangedStrings {
  /** Remembers nothing. */
  static readonly NONE: UnchangedStrings = new UnchangedStrings(new UnchangedBudget(0), false);

  private seen: Set<string> | undefined;
  private lookups = 0;
  private hits = 0;

  constructor(
    private readonly budget: UnchangedBudget,
    enabled = true,
  ) {
    this.seen = enabled ? new Set() : undefined;
  }

  has(text: string): boolean {
    const seen = this.seen;
    // A string too long to be remembered is not hashed for nothing.
    if (seen === undefined || text.length > MAX_LENGTH) return false;
    const hit = seen.has(text);
    if (hit) this.hits += 1;
    this.lookups += 1;
    if (this.lookups >= WINDOW) this.endWindow(seen);
    return hit;
  }

  remember(text: string): void {
    const seen = this.seen;
    if (seen === undefined || text.length > MAX_LENGTH) return;
    if (seen.size >= MAX_PER_PATH) this.release(seen);
    if (this.budget.left <= 0) return;
    seen.add(detached(text));
    this.budget.left -= 1;
  }

  private endWindow(seen: Set<string>): void {
    if (this.hits < MIN_HITS) {
      this.release(seen);
      this.seen = undefined;
    }
    this.lookups = 0;
    this.hits = 0;
  }

  private release(seen: Set<string>): void {
    this.budget.left += seen.size;
    seen.clear();
  }
}
