/**
 * Per-rule match counts. Matches are journaled and committed per record, so a
 * record handled twice (a line the fast path hands to the structured path, or
 * walked again for exact integers, see json-exact) is not counted twice.
 */
export class RuleCounts {
  private readonly totals = new Map<string, number>();
  private readonly journal: string[] = [];

  add(rule: string): void {
    this.journal.push(rule);
  }

  mark(): number {
    return this.journal.length;
  }

  rewind(mark: number): void {
    this.journal.length = mark;
  }

  commit(): void {
    for (const rule of this.journal) this.totals.set(rule, (this.totals.get(rule) ?? 0) + 1);
    this.journal.length = 0;
  }

  snapshot(): Readonly<Record<string, number>> {
    return Object.freeze(Object.fromEntries([...this.totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  }
}
