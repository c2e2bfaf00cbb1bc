/**
 * `npm run bench -- code-size`: non-blank lines of TypeScript per area of product code, now and at the
 * commit before the one-engine change (when the clone has that history), from git's own trees.
 */
import { execFileSync } from "node:child_process";
import { renderTable } from "../cli/table.js";

/** The last commit before the one-engine issue's first change (shared/engine/export-object.ts still there). */
const BEFORE = "3f4254d";
const AREAS = ["shared/engine", "shared/wiring", "cli", "lambda", "functions", "shared/sinks", "shared/sources", "shared/settings", "shared", "scripts"];

function git(args: readonly string[]): string {
  return execFileSync("git", args, { encoding: "utf8", maxBuffer: 64 << 20 });
}

function linesAt(rev: string, area: string): number {
  const files = git(["ls-tree", "-r", "--name-only", rev, "--", area])
    .split("\n")
    .filter((f) => f.endsWith(".ts"));
  return files.reduce(
    (sum, file) =>
      sum +
      git(["show", `${rev}:${file}`])
        .split("\n")
        .filter((line) => line.trim() !== "").length,
    0,
  );
}

function hasRevision(rev: string): boolean {
  try {
    git(["cat-file", "-e", `${rev}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

export async function benchCodeSize(): Promise<void> {
  const before = hasRevision(BEFORE);
  const rows: Array<Array<string | number>> = [["area", ...(before ? [`before (${BEFORE})`] : []), "now", ...(before ? ["change"] : [])]];
  for (const area of AREAS) {
    const now = linesAt("HEAD", area);
    if (!before) {
      rows.push([area, now]);
      continue;
    }
    const then = linesAt(BEFORE, area);
    rows.push([area, then, now, `${now >= then ? "+" : ""}${now - then}`]);
  }
  process.stdout.write(
    `non-blank lines of TypeScript (shared/ includes its sub-areas above)${before ? "" : `; ${BEFORE} is not in this clone's history`}:\n${renderTable(rows)}\n`,
  );
}
