import type { CustomAction } from "../catalog.js";
import { redactionMarker } from "../catalog.js";
import { maskText } from "../mask.js";
import type { MatchContext, TextRule } from "./rule.js";
import { replaceMatch, rewrite } from "./rule.js";

/** A regex rule from the config; it runs on every string, so its cost is the config author's choice. */
export class CustomTextRule implements TextRule {
  private readonly replacement: string;

  constructor(
    private readonly name: string,
    private readonly pattern: RegExp,
    private readonly action: CustomAction,
    replacement: string | undefined,
  ) {
    this.replacement = replacement ?? redactionMarker(name);
  }

  readonly requires = 0;
  readonly minLength = 1;

  apply(text: string, context: MatchContext): string {
    return rewrite(text, this.pattern, (match) => {
      if (match[0] === "") return undefined;
      return replaceMatch(match, context, this.name, (found) => {
        if (this.action === "mask") return maskText(found);
        return this.action === "pseudonymize" ? context.pseudonym(found) : this.replacement;
      });
    });
  }
}
