/**
 * The Terraform check (npm run terraform:check) that stands in for `terraform validate` here: it
 * fails on each broken fixture for the reason the fixture names, passes on the modules and examples,
 * and reads provider schemas trimmed to exactly the types they use, at versions versions.tf admits.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkTerraform, terraformDirs } from "../../../scripts/terraform/check.js";
import { blocksOf, loadModule } from "../../../scripts/terraform/hcl.js";
import { admits, loadSchemas, SCHEMA_DIR } from "../../../scripts/terraform/schema.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURES = join(ROOT, "test/unit/terraform/fixtures");
const SCHEMAS = join(ROOT, SCHEMA_DIR);

async function findingsFor(fixture: string): Promise<string[]> {
  const { findings } = await checkTerraform([join(FIXTURES, fixture)], SCHEMAS);
  return findings.map((f) => `${f.at}: ${f.message}`);
}

describe("terraform check: what validate would refuse", () => {
  it("a misspelled argument", async () => {
    expect(await findingsFor("misspelled-argument")).toEqual(['resource "aws_sqs_queue" "jobs" › nmae: unknown argument or block "nmae" (did you mean name?)']);
  });

  it("a missing required argument", async () => {
    expect(await findingsFor("missing-required-argument")).toEqual(['resource "aws_iam_role" "function": missing required argument "assume_role_policy"']);
  });

  it("a reference to an attribute the type does not have", async () => {
    expect(await findingsFor("unknown-attribute")).toEqual(['output "queue": aws_sqs_queue.jobs.queue_arn: aws_sqs_queue.jobs has no attribute "queue_arn"']);
  });

  it("instance keys missing where count is set, and given where it is not", async () => {
    expect((await findingsFor("instance-key")).sort()).toEqual([
      'output "always_arn": aws_sqs_queue.always[0].arn: aws_sqs_queue.always has neither count nor for_each, so it takes no instance key',
      'output "optional_arn": aws_sqs_queue.optional.arn: aws_sqs_queue.optional has count, so name an instance (aws_sqs_queue.optional[…].arn)',
    ]);
  });

  it("a module call with an unknown variable, without a required one, and a reference to an output it lacks", async () => {
    expect((await findingsFor("module-call")).sort()).toEqual([
      'module "child" › nmae: the module has no variable "nmae" (did you mean name?)',
      'module "child": missing required variable "name"',
      'output "url": module.child.queue_url: the module has no output "queue_url"',
    ]);
  });

  it("a schema for a provider version versions.tf does not admit", async () => {
    expect(await findingsFor("version-mismatch")).toEqual([
      'terraform › required_providers › aws: the schema describes hashicorp/aws 6.0.0, which "~> 5.0" does not admit: regenerate it for the pinned version (npm run terraform:schema)',
    ]);
  });
});

describe("terraform check: lint rules", () => {
  it("unused variables, locals and data sources", async () => {
    expect((await findingsFor("unused-declarations")).sort()).toEqual([
      'data "aws_region" "current": data.aws_region.current is declared but never used',
      "local.leftover: local.leftover is declared but never used",
      'variable "forgotten": var.forgotten is declared but never used',
    ]);
  });

  it("a resource created before the policy it is checked against", async () => {
    expect(await findingsFor("permissions-first")).toEqual([
      'resource "aws_lambda_function_event_invoke_config" "export": Lambda checks that the function\'s role may use each destination when the configuration is saved: add aws_iam_role_policy.function to its depends_on',
    ]);
  });
});

describe("terraform check: the modules and examples", () => {
  it("pass, with every resource, data source and provider block compared with a schema", async () => {
    const dirs = terraformDirs(join(ROOT, "terraform"));
    const result = await checkTerraform(dirs, SCHEMAS);
    expect(result.findings).toEqual([]);
    const modules = await Promise.all(dirs.map(loadModule));
    const blocks = modules.flatMap((m) => [...blocksOf(m, "resource"), ...blocksOf(m, "data"), ...blocksOf(m, "provider")]);
    expect(result.coverage.blocks).toBe(blocks.length);
    expect(result.coverage.modules).toBe(4);
    expect(result.coverage.arguments).toBeGreaterThan(400);
    expect(result.coverage.references).toBeGreaterThan(500);
  });

  it("read schemas trimmed to exactly the types they use, at versions their versions.tf admits", async () => {
    const modules = await Promise.all(terraformDirs(join(ROOT, "terraform")).map(loadModule));
    const used = (kind: "resource" | "data") => [...new Set(modules.flatMap((m) => blocksOf(m, kind).map((b) => b.labels[0] as string)))].sort();
    const schemas = [...loadSchemas(SCHEMAS).values()];
    expect(schemas.flatMap((s) => Object.keys(s.resources)).sort()).toEqual(used("resource"));
    expect(schemas.flatMap((s) => Object.keys(s.dataSources)).sort()).toEqual(used("data"));
    expect(schemas.map((s) => [s.source, s.version])).toEqual([
      ["hashicorp/aws", "6.0.0"],
      ["hashicorp/azurerm", "4.78.0"],
      ["terraform.io/builtin/terraform", "1.4.0"],
    ]);
  });
});

describe("version constraints", () => {
  it.each([
    ["~> 6.0", "6.0.0", true],
    ["~> 6.0", "6.99.3", true],
    ["~> 6.0", "7.0.0", false],
    ["~> 6.0", "5.99.0", false],
    ["~> 4.78", "4.78.0", true],
    ["~> 4.78", "4.55.0", false],
    ["~> 4.78.1", "4.78.9", true],
    ["~> 4.78.1", "4.79.0", false],
    [">= 1.9.0, < 2.0", "1.9.0", true],
    [">= 1.9.0, < 2.0", "2.0.0", false],
    ["!= 1.5.0", "1.5.0", false],
    ["1.5.0", "1.5.0", true],
  ])("%s admits %s: %s", (constraint, version, expected) => {
    expect(admits(constraint, version)).toBe(expected);
  });
});
