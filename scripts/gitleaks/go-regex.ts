/**
 * Go (RE2) regular expressions of gitleaks' rules as JavaScript source, for Node 20, which has no inline
 * flags: `(?i)`, `(?-i:…)` and `(?s:…)` regions are written out (letters as `[aA]`, letter ranges
 * doubled, `.` as `[^]`), `(?P<name>` becomes `(?<name>`, POSIX classes their ranges, `\z` `$`.
 */

interface Flags {
  readonly caseless: boolean;
  readonly dotAll: boolean;
}

const POSIX: Readonly<Record<string, string>> = {
  alnum: "a-zA-Z0-9",
  alpha: "a-zA-Z",
  digit: "0-9",
  lower: "a-z",
  upper: "A-Z",
  space: "\\s",
  word: "\\w",
  xdigit: "0-9a-fA-F",
  punct: "!-\\/:-@\\[-`{-~",
};

const isLetter = (char: string) => /^[A-Za-z]$/.test(char);
const otherCase = (char: string) => (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase());

/** A class body (between `[` or `[^` and `]`), with POSIX names expanded and, caseless, the other case of every letter added. */
function classBody(body: string, caseless: boolean): string {
  let out = "";
  const extra: string[] = [];
  for (let at = 0; at < body.length; ) {
    const posix = /^\[:(\w+):\]/.exec(body.slice(at));
    if (posix !== null) {
      const ranges = POSIX[posix[1] as string];
      if (ranges === undefined) throw new Error(`unknown POSIX class ${posix[0]}`);
      out += ranges;
      at += posix[0].length;
      continue;
    }
    const char = body[at] as string;
    if (char === "\\") {
      out += body.slice(at, at + 2);
      at += 2;
      continue;
    }
    if (body[at + 1] === "-" && at + 2 < body.length && body[at + 2] !== "]") {
      const end = body[at + 2] as string;
      out += `${char}-${end}`;
      if (caseless && isLetter(char) && isLetter(end)) extra.push(`${otherCase(char)}-${otherCase(end)}`);
      at += 3;
      continue;
    }
    out += char === "[" || char === "-" ? `\\${char}` : char;
    if (caseless && isLetter(char)) extra.push(otherCase(char));
    at += 1;
  }
  return out + extra.join("");
}

/** The index of the `]` that closes the class opening at `open`. */
function classEnd(source: string, open: number): number {
  let at = open + 1;
  if (source[at] === "^") at += 1;
  if (source[at] === "]") at += 1;
  while (at < source.length && source[at] !== "]") {
    if (source.startsWith("[:", at)) at = source.indexOf(":]", at) + 2;
    else at += source[at] === "\\" ? 2 : 1;
  }
  if (at >= source.length) throw new Error(`unclosed class in ${source}`);
  return at;
}

const FLAG_GROUP = /^\(\?([a-z]*)(?:-([a-z]*))?(:|\))/;

function withFlags(flags: Flags, on: string, off: string): Flags {
  return {
    caseless: off.includes("i") ? false : on.includes("i") ? true : flags.caseless,
    dotAll: off.includes("s") ? false : on.includes("s") ? true : flags.dotAll,
  };
}

/** JavaScript source (no flags needed) matching what the Go expression matches. */
export function goRegexToJs(source: string): string {
  let out = "";
  const stack: Flags[] = [];
  let flags: Flags = { caseless: false, dotAll: false };
  for (let at = 0; at < source.length; ) {
    const char = source[at] as string;
    if (char === "\\") {
      const next = source[at + 1] as string;
      out += next === "z" ? "$" : next === "A" ? "^" : `\\${next}`;
      at += 2;
    } else if (char === "[") {
      const end = classEnd(source, at);
      const negated = source[at + 1] === "^";
      out += `[${negated ? "^" : ""}${classBody(source.slice(at + (negated ? 2 : 1), end), flags.caseless)}]`;
      at = end + 1;
    } else if (char === "(") {
      const flagGroup = FLAG_GROUP.exec(source.slice(at));
      if (flagGroup !== null && (flagGroup[1] !== "" || flagGroup[2] !== undefined)) {
        const next = withFlags(flags, flagGroup[1] as string, flagGroup[2] ?? "");
        if (flagGroup[3] === ")") flags = next;
        else {
          stack.push(flags);
          flags = next;
          out += "(?:";
        }
        at += flagGroup[0].length;
      } else {
        stack.push(flags);
        if (source.startsWith("(?P<", at)) {
          out += "(?<";
          at += 4;
        } else {
          out += "(";
          at += 1;
        }
      }
    } else if (char === ")") {
      flags = stack.pop() ?? flags;
      out += ")";
      at += 1;
    } else if (char === "." && flags.dotAll) {
      out += "[^]";
      at += 1;
    } else {
      out += flags.caseless && isLetter(char) ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char;
      at += 1;
    }
  }
  return out;
}
