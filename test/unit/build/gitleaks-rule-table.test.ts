import { describe, expect, it } from "vitest";
import { goRegexToJs } from "../../../scripts/gitleaks/go-regex.js";
import { ruleTable } from "../../../scripts/gitleaks/rule-table.js";
import { secretRules } from "../../../shared/sanitize/text/secret-rule-data.js";

const matches = (go: string, text: string) => new RegExp(goRegexToJs(go)).test(text);

describe("Go regular expressions as JavaScript", () => {
  it("writes out (?i) for the rest of its group and (?-i:…) regions", () => {
    expect(matches(String.raw`\b(LTAI(?i)[a-z0-9]{4})\b`, "LTAIaB9z")).toBe(true);
    expect(matches(String.raw`\b(LTAI(?i)[a-z0-9]{4})\b`, "ltaiaB9z")).toBe(false);
    expect(matches("(?i)x(?-i:ATLAS|[Aa]tlas)y", "XAtlasY")).toBe(true);
    expect(matches("(?i)x(?-i:ATLAS|[Aa]tlas)y", "XaTLASY")).toBe(false);
    expect(matches("(?i)[a-z_-]{3}", "A-Z")).toBe(true);
  });

  it("translates POSIX classes, named groups, (?s:.) and \\z", () => {
    expect(matches(String.raw`^pat[[:alnum:]]{3}\z`, "patA1b")).toBe(true);
    expect(goRegexToJs("(?P<alg>ab)")).toBe("(?<alg>ab)");
    expect(matches("a(?s:.)b", "a\nb")).toBe(true);
    expect(matches("a.b", "a\nb")).toBe(false);
  });
});

describe("the rule table", () => {
  const config = {
    allowlist: {},
    rules: [
      {
        id: "vendor-key",
        regex: String.raw`(?i)[\w.-]{0,50}?(?:vendor)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([a-z0-9]{8})(?:[\x60'"\s;]|\\[nr]|$)`,
        keywords: ["Vendor"],
        allowlists: [
          { paths: ["x"], condition: "AND", regexes: ["a"] },
          { regexTarget: "match", regexes: ["^b"] },
        ],
      },
      { id: "path-only", path: String.raw`\.p12$` },
    ],
  };

  it("keeps rules with a pattern, drops path-only rules and allowlists that need a path", () => {
    const { rules, skipped } = ruleTable(config as Parameters<typeof ruleTable>[0]);
    expect(skipped).toEqual(["path-only"]);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.keywords).toEqual(["vendor"]);
    expect(rules[0]?.allowlists).toEqual([{ target: "match", regexes: ["^b"], stopwords: [] }]);
  });

  it("gives an assignment rule its value pattern, drops the key prefix and lets URLs and lists end a secret", () => {
    const stored = ruleTable(config as Parameters<typeof ruleTable>[0]).rules;
    // Of the usual shape, it is stored as its key pattern alone and its regex rebuilt.
    expect(stored[0]).toMatchObject({ key: "(?:[vV][eE][nN][dD][oO][rR])" });
    expect(stored[0]).not.toHaveProperty("regex");
    const [rule] = secretRules(stored);
    expect(new RegExp(`^(?:${rule?.value ?? ""})$`).test("AbCd1234")).toBe(true);
    expect(rule?.regex.startsWith("(?:[vV]")).toBe(true);
    expect(new RegExp(rule?.regex ?? "").exec("x?vendor_key=abcd1234&page=2")?.[1]).toBe("abcd1234");
  });
});
