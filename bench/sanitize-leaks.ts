import { renderTable } from "../cli/table.js";
import { defaultSanitizerConfig, Sanitizer } from "../shared/sanitize/index.js";
import { GITLEAKS_RULES, GITLEAKS_RULES_IN_SOURCE, GITLEAKS_VERSION } from "../shared/sanitize/rules/gitleaks.generated.js";
import { lookAlikes, LOOK_ALIKE_CONTEXTS, plantLookAlike } from "../test/helpers/look-alikes.js";
import { plantedKinds, structuredLeaks } from "../test/helpers/planted-kinds.js";
import { CONTEXTS, plant, samplesOf, visibleTexts, type Sample } from "../test/helpers/secret-samples.js";

/** A fixed, public key so identifiers are pseudonymized as in production; not a secret. */
const KEY = new Uint8Array(32).fill(7);

function survivors(sanitizer: Sanitizer, samples: readonly Sample[]): number {
  let survived = 0;
  for (const sample of samples) {
    for (const context of CONTEXTS)
      if (visibleTexts(sanitizer.sanitizeLine(plant(sample, context))).some((text) => text.includes(sample.secret))) survived += 1;
  }
  return survived;
}

/**
 * Issue figures of the detectors: planted secrets of each kind (ours, issue 15's leaks, every rule of gitleaks'
 * default set) in five contexts and how many survive; harmless look-alikes changed; rules covered.
 */
export function benchSanitizeLeaks(): void {
  const sanitizer = new Sanitizer(defaultSanitizerConfig(), { hmacKey: KEY });
  const rows: (string | number)[][] = [];
  for (const [kind, samples] of plantedKinds(20)) rows.push([kind, samples.length * CONTEXTS.length, survivors(sanitizer, samples)]);
  for (const [kind, lines] of structuredLeaks(20))
    rows.push([kind, lines.length, lines.filter(({ line, secret }) => sanitizer.sanitizeLine(line).includes(secret)).length]);
  let planted = 0;
  let survived = 0;
  let rulesCaught = 0;
  for (const rule of GITLEAKS_RULES) {
    const samples = samplesOf(rule, 3, 23);
    const lost = survivors(sanitizer, samples);
    planted += samples.length * CONTEXTS.length;
    survived += lost;
    if (samples.length > 0 && lost === 0) rulesCaught += 1;
  }
  rows.push([`gitleaks ${GITLEAKS_VERSION} rules (${GITLEAKS_RULES.length})`, planted, survived]);
  process.stdout.write(
    `\nPlanted secrets, each in five contexts (message value, inside a sentence, under a config-style key, in embedded JSON, as a URL query parameter):\n${renderTable([["kind", "planted", "survived"], ...rows])}\n`,
  );
  process.stdout.write(
    `gitleaks rules covered: ${GITLEAKS_RULES.length} of ${GITLEAKS_RULES_IN_SOURCE} (every rule with a pattern); all samples caught for ${rulesCaught} of them\n`,
  );
  const items = lookAlikes(20).flatMap((item) => LOOK_ALIKE_CONTEXTS.map((context) => plantLookAlike(item, context)));
  const changed = items.filter((line) => sanitizer.sanitizeLine(line) !== line).length;
  process.stdout.write(
    `harmless look-alikes (git SHAs, UUIDs, trace ids, base64 of words, image digests, ETags, …) changed: ${changed} of ${items.length} (${((100 * changed) / items.length).toFixed(2)} %, target ≤ 1 %)\n`,
  );
}
