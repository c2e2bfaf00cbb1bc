import { describe, expect, it } from "vitest";
import { parseTerraformFile } from "../../../scripts/terraform/hcl.js";
import { referencesIn, type Reference } from "../../../scripts/terraform/references.js";

const texts = (found: readonly Reference[]) => found.map((r) => r.text);

/** One local's value as the parser gives it. */
async function parsedLocal(source: string): Promise<string> {
  const [block] = await parseTerraformFile("test.tf", `locals {\n  x = ${source}\n}\n`);
  return block?.body.x as string;
}

describe("references in parsed expressions", () => {
  it("finds traversals with their steps, through function calls, conditionals and splats", async () => {
    const found = await referencesIn(
      await parsedLocal("var.on ? [for r in aws_sns_topic.alarms[*].arn : lower(r)] : concat(local.ids, [data.aws_region.current.region])"),
    );
    expect(texts(found)).toEqual(["var.on", "aws_sns_topic.alarms[*].arn", "local.ids", "data.aws_region.current.region"]);
    expect(found[1]?.steps).toEqual([{ name: "alarms" }, { index: true }, { name: "arn" }]);
  });

  it("takes neither for-expression variables nor literal text for references", async () => {
    const value = await parsedLocal('{ for k, t in aws_glue_catalog_table.export : k => "${t.database_name}.var.x" }');
    expect(texts(await referencesIn(value))).toEqual(["aws_glue_catalog_table.export"]);
  });

  it("reads a template's literal quotes, backslashes and escaped interpolations as text", async () => {
    const value = await parsedLocal('"say \\"${var.word}\\" \\\\ year=$${year} %%{if} ${local.end}"');
    expect(value).toBe('say "${var.word}" \\ year=$${year} %%{if} ${local.end}');
    expect(texts(await referencesIn(value))).toEqual(["var.word", "local.end"]);
  });

  it("keeps index keys as expressions of their own", async () => {
    const found = await referencesIn(await parsedLocal("local.columns[each.key].name"));
    expect(texts(found)).toEqual(["local.columns[each.key].name", "each.key"]);
  });

  it("treats names in scope (a dynamic block's iterator) as no reference", async () => {
    expect(await referencesIn("${rule.value}/", new Set(["rule"]))).toEqual([]);
  });
});
