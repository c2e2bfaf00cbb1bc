/**
 * Least-privilege and hardening facts of the AWS Terraform module, read from its HCL (providers cannot
 * be downloaded here, so `terraform validate` and `plan` cannot run): the role's exact actions and
 * resources, the bucket's hardening, the schedule's retries and dead-letter queue, alarms, Glue
 * tables matching the encoder's schemas, settings parity with the code, and the example.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PULP_ACCESS_LOG_SCHEMA, type ParquetColumnType } from "../../../shared/formats/parquet/schema.js";
import { CONTENT_TYPES, contentSchema } from "../../../shared/parsers/content/types.js";
import { PULP_ENRICHED_SCHEMA } from "../../../shared/parsers/pulp-rows.js";
import { allAwsSettings } from "../../../shared/settings/aws-spec.js";
import { SECRET_ARN } from "../../../shared/settings/aws.js";
import { attribute, block, blocks, literal, objectEntries, readTerraformDir } from "./hcl.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const moduleText = readTerraformDir(join(ROOT, "terraform/modules/aws-access-log-export"));
const exampleText = readTerraformDir(join(ROOT, "terraform/examples/aws"));

const resource = (type: string, name: string) => block(moduleText, "resource", type, name).body;
const local = (name: string) => {
  const found = blocks(moduleText, "locals").flatMap((b) => attribute(b.body, name) ?? []);
  expect(found, `one local ${name}`).toHaveLength(1);
  return found[0] as string;
};

interface Statement {
  readonly sid: string;
  readonly effect: string;
  readonly actions: string;
  readonly resources: string;
}

function statements(policyName: string): Statement[] {
  const body = block(moduleText, "data", "aws_iam_policy_document", policyName).body;
  const direct = blocks(body, "statement").map((s) => s.body);
  const dynamic = blocks(body, "dynamic").flatMap((d) => blocks(d.body, "content").map((c) => c.body));
  return [...direct, ...dynamic].map((s) => ({
    sid: String(literal(attribute(s, "sid"))),
    effect: String(literal(attribute(s, "effect")) ?? "Allow"),
    actions: attribute(s, "actions") ?? "",
    resources: attribute(s, "resources") ?? "",
  }));
}

describe("AWS module: the function's role", () => {
  const role = statements("function");

  it("allows exactly these actions on exactly these resources", () => {
    expect(role.map((s) => [s.sid, s.actions, s.resources])).toEqual([
      ["QueryTheLogGroups", '["logs:StartQuery", "logs:FilterLogEvents"]', 'concat(local.log_group_arns, [for arn in local.log_group_arns : "${arn}:*"])'],
      ["ReadAndStopOwnQueries", '["logs:GetQueryResults", "logs:StopQuery"]', '["*"]'],
      ["WriteExports", '["s3:PutObject", "s3:AbortMultipartUpload"]', '[for p in values(local.export_prefixes) : "${local.bucket_arn}/${p}/*"]'],
      ["ReadWriteState", '["s3:GetObject", "s3:PutObject"]', '["${local.bucket_arn}/${var.state_prefix}/*"]'],
      ["ListState", '["s3:ListBucket"]', "[local.bucket_arn]"],
      ["FunctionLogs", '["logs:CreateLogStream", "logs:PutLogEvents"]', '["${aws_cloudwatch_log_group.function.arn}:*"]'],
      ["DeadLetter", '["sqs:SendMessage"]', "[aws_sqs_queue.dead_letter.arn]"],
      ["EncryptExports", '["kms:GenerateDataKey", "kms:Decrypt"]', "[statement.value]"],
      ["ReadHmacKey", '["secretsmanager:GetSecretValue"]', "[statement.value]"],
      ["DecryptHmacKey", '["kms:Decrypt"]', "[statement.value]"],
    ]);
    expect(role.every((s) => s.effect === "Allow")).toBe(true);
  });

  it("reads exactly the secret named by hmac_key_secret_arn, and decrypts only with its key, through Secrets Manager, for that secret", () => {
    const body = block(moduleText, "data", "aws_iam_policy_document", "function").body;
    const dynamic = (sid: string) => {
      const found = blocks(body, "dynamic").find((d) => blocks(d.body, "content").some((c) => literal(attribute(c.body, "sid")) === sid));
      expect(found, sid).toBeDefined();
      return found?.body ?? "";
    };
    expect(attribute(dynamic("ReadHmacKey"), "for_each")).toBe("var.hmac_key_secret_arn == null ? [] : [var.hmac_key_secret_arn]");
    const decrypt = dynamic("DecryptHmacKey");
    expect(attribute(decrypt, "for_each")).toBe("var.hmac_key_secret_kms_key_arn == null ? [] : [var.hmac_key_secret_kms_key_arn]");
    const conditions = blocks(block(decrypt, "content").body, "condition").map((c) => [attribute(c.body, "test"), attribute(c.body, "variable"), attribute(c.body, "values")]);
    expect(conditions).toEqual([
      ['"StringEquals"', '"kms:ViaService"', '["secretsmanager.${local.region}.amazonaws.com"]'],
      ['"StringEquals"', '"kms:EncryptionContext:SecretARN"', "[var.hmac_key_secret_arn]"],
    ]);
    expect(moduleText).not.toMatch(/secretsmanager:(?!GetSecretValue")[A-Za-z*]+/);
  });

  it("accepts the same secret ARNs for hmac_key_secret_arn as the code, and a KMS key only with a secret", () => {
    const validation = (name: string) => attribute(block(block(moduleText, "variable", name).body, "validation").body, "condition") ?? "";
    const pattern = /can\(regex\("([^"]+)", var\.hmac_key_secret_arn\)\)/.exec(validation("hmac_key_secret_arn"))?.[1];
    expect(pattern).toBe(SECRET_ARN.source);
    expect(validation("hmac_key_secret_kms_key_arn")).toContain("var.hmac_key_secret_arn != null");
    expect(literal(attribute(block(moduleText, "variable", "hmac_key_secret_arn").body, "default"))).toBeNull();
  });

  it("names the log groups and export prefixes from the variables, and nothing wider", () => {
    expect(local("log_group_arns")).toBe('[for g in var.log_group_names : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${g}"]');
    expect(local("export_prefixes")).toBe('{ for e in var.exports : e => e == "access" ? var.prefix : "${var.content_prefix}/${e}" }');
    expect(role.filter((s) => /:\*"/.test(s.actions)), "no wildcard action").toEqual([]);
    // Reading and listing only under the state prefix (manifests, ledger); nothing is ever deleted.
    expect(moduleText).not.toMatch(/s3:DeleteObject/);
    expect(moduleText.match(/s3:(GetObject|ListBucket)/g)).toEqual(["s3:GetObject", "s3:ListBucket"]);
    const body = block(moduleText, "data", "aws_iam_policy_document", "function").body;
    const list = blocks(body, "statement").find((st) => literal(attribute(st.body, "sid")) === "ListState");
    expect(blocks(list?.body ?? "", "condition").map((c) => [attribute(c.body, "test"), attribute(c.body, "variable"), attribute(c.body, "values")])).toEqual([['"StringLike"', '"s3:prefix"', '["${var.state_prefix}/*"]']]);
  });

  it("is assumed by Lambda only and attached as one inline policy", () => {
    const assume = block(moduleText, "data", "aws_iam_policy_document", "assume").body;
    expect(attribute(block(assume, "statement").body, "actions")).toBe('["sts:AssumeRole"]');
    expect(attribute(block(block(assume, "statement").body, "principals").body, "identifiers")).toBe('["lambda.amazonaws.com"]');
    expect(attribute(resource("aws_iam_role_policy", "function"), "policy")).toBe("data.aws_iam_policy_document.function.json");
    expect(blocks(moduleText, "resource").filter((r) => r.labels[0] === "aws_iam_role_policy_attachment")).toEqual([]);
  });
});

describe("AWS module: the bucket", () => {
  it("blocks every kind of public access", () => {
    const block_ = resource("aws_s3_bucket_public_access_block", "exports");
    for (const k of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) expect(attribute(block_, k), k).toBe("true");
  });

  it("encrypts (S3 or KMS), versions and enforces bucket-owner ownership", () => {
    const sse = block(block(resource("aws_s3_bucket_server_side_encryption_configuration", "exports"), "rule").body, "apply_server_side_encryption_by_default").body;
    expect(attribute(sse, "sse_algorithm")).toBe('var.kms_key_arn == null ? "AES256" : "aws:kms"');
    expect(attribute(block(resource("aws_s3_bucket_versioning", "exports"), "versioning_configuration").body, "status")).toBe('"Enabled"');
    expect(attribute(block(resource("aws_s3_bucket_ownership_controls", "exports"), "rule").body, "object_ownership")).toBe('"BucketOwnerEnforced"');
  });

  it("denies every request without TLS, on the bucket and its objects", () => {
    const [tls] = statements("bucket");
    expect(tls).toEqual({ sid: "TlsOnly", effect: "Deny", actions: '["s3:*"]', resources: '[local.bucket_arn, "${local.bucket_arn}/*"]' });
    expect(moduleText).toMatch(/variable\s*=\s*"aws:SecureTransport"\s*\n\s*values\s*=\s*\["false"\]/);
    expect(attribute(resource("aws_s3_bucket_policy", "exports"), "policy")).toBe("data.aws_iam_policy_document.bucket.json");
  });

  it("moves exports to Glacier, expires old versions and aborts stale multipart uploads", () => {
    const lifecycle = resource("aws_s3_bucket_lifecycle_configuration", "exports");
    expect(lifecycle).toContain('storage_class = "GLACIER"');
    expect(lifecycle).toContain("noncurrent_days = var.noncurrent_version_days");
    expect(lifecycle).toContain("days_after_initiation = 1");
  });
});

describe("AWS module: schedule, retries and dead letters", () => {
  it("runs hourly at the configured minute and retries into a dead-letter queue", () => {
    expect(attribute(resource("aws_cloudwatch_event_rule", "hourly"), "schedule_expression")).toBe('"cron(${var.schedule_minute} * * * ? *)"');
    const target = resource("aws_cloudwatch_event_target", "export");
    expect(attribute(target, "arn")).toBe("aws_lambda_function.export.arn");
    expect(attribute(block(target, "dead_letter_config").body, "arn")).toBe("aws_sqs_queue.dead_letter.arn");
    expect(attribute(block(target, "retry_policy").body, "maximum_retry_attempts")).toBe("8");
    const invoke = resource("aws_lambda_function_event_invoke_config", "export");
    expect(attribute(invoke, "maximum_retry_attempts")).toBe("var.retry_attempts");
    expect(attribute(block(block(invoke, "destination_config").body, "on_failure").body, "destination")).toBe("aws_sqs_queue.dead_letter.arn");
    const permission = resource("aws_lambda_permission", "events");
    expect(attribute(permission, "principal")).toBe('"events.amazonaws.com"');
    expect(attribute(permission, "source_arn")).toBe("aws_cloudwatch_event_rule.hourly.arn");
  });

  it("lets only the rule put into the encrypted dead-letter queue, over TLS", () => {
    expect(attribute(resource("aws_sqs_queue", "dead_letter"), "sqs_managed_sse_enabled")).toBe("true");
    expect(statements("dead_letter").map((s) => [s.sid, s.effect, s.actions])).toEqual([
      ["RuleDeliveryFailures", "Allow", '["sqs:SendMessage"]'],
      ["TlsOnly", "Deny", '["sqs:*"]'],
    ]);
    expect(block(moduleText, "data", "aws_iam_policy_document", "dead_letter").body).toContain("values   = [aws_cloudwatch_event_rule.hourly.arn]");
  });

  it("alarms on function errors and on dead letters", () => {
    expect(attribute(resource("aws_cloudwatch_metric_alarm", "errors"), "metric_name")).toBe('"Errors"');
    const dlq = resource("aws_cloudwatch_metric_alarm", "dead_letters");
    expect(attribute(dlq, "metric_name")).toBe('"ApproximateNumberOfMessagesVisible"');
    expect(attribute(dlq, "dimensions")).toBe("{ QueueName = aws_sqs_queue.dead_letter.name }");
  });

  it("runs Node 22 on arm64 from the built bundle, with the heap cap the bench measures", () => {
    const fn = resource("aws_lambda_function", "export");
    expect(attribute(fn, "runtime")).toBe('"nodejs22.x"');
    expect(attribute(fn, "architectures")).toBe('["arm64"]');
    expect(attribute(fn, "handler")).toBe('"index.handler"');
    expect(attribute(fn, "filename")).toBe("var.lambda_zip_path");
    expect(objectEntries(local("lambda_environment").slice("merge(".length)).get("NODE_OPTIONS")).toBe('"--max-old-space-size=${var.heap_mb}"');
    expect(literal(attribute(block(moduleText, "variable", "heap_mb").body, "default"))).toBe(1024);
  });
});

describe("AWS module: Glue tables match the encoder's schemas", () => {
  const GLUE: Readonly<Record<ParquetColumnType, string>> = { timestamp_ns_utc: "timestamp", timestamp_us_utc: "timestamp", string: "string", json: "string", int8: "tinyint", int16: "smallint", int32: "int", int64: "bigint", double: "double", bool: "boolean" };
  const columns = (expression: string) => [...expression.matchAll(/\{ name = "([a-z_]+)", type = "([a-z]+)" \}/g)].map((m) => [m[1], m[2]]);

  it("declares the access table's columns, enriched ones included, as the encoder writes them", () => {
    const access = local("access_columns");
    const expected = PULP_ENRICHED_SCHEMA.map((c) => [c.name, GLUE[c.type]]);
    expect(columns(access)).toEqual(expected);
    expect(columns(access).slice(0, PULP_ACCESS_LOG_SCHEMA.length)).toEqual(PULP_ACCESS_LOG_SCHEMA.map((c) => [c.name, GLUE[c.type]]));
  });

  it("declares each content type's columns as the encoder writes them", () => {
    const common = columns(local("content_common_columns"));
    const own = local("content_type_columns");
    for (const type of CONTENT_TYPES) {
      const section = new RegExp(`${type} = \\[([\\s\\S]*?)\\]`).exec(own)?.[1] ?? "";
      expect([...common, ...columns(section)], type).toEqual(contentSchema(type).map((c) => [c.name, GLUE[c.type]]));
    }
  });

  it("projects the hourly partitions of each export's prefix", () => {
    const table = resource("aws_glue_catalog_table", "export");
    expect(table).toContain('"storage.location.template" = "s3://${var.bucket_name}/${each.value}/year=$${year}/month=$${month}/day=$${day}/hour=$${hour}/"');
    expect(table).toContain('"projection.enabled"        = "true"');
  });
});

describe("AWS module: the function's environment and the code's settings table", () => {
  const env = objectEntries(/merge\(\s*(\{[\s\S]*?\n\s{4}\})/.exec(local("lambda_environment"))?.[1] ?? "");
  /** `var.x == null ? {} : { NAME = var.x }`: set only when the variable is. */
  const optional = [...local("lambda_environment").matchAll(/var\.([a-z_]+) == null \? \{\} : \{ ([A-Z_]+) = (?:jsonencode\(yamldecode\()?var\.([a-z_]+)\)?\)? \}/g)].filter((m) => m[1] === m[3]).map((m): [string, string] => [m[2] as string, m[1] as string]);
  const terraformKeys = [...env.keys(), ...optional.map(([name]) => name)];
  const code = allAwsSettings().map((s) => s.name);
  /** Read by the code, deliberately not set by the module. */
  const LEFT_TO_DEFAULT: Readonly<Record<string, string>> = {
    LOGEXPORT_QUERY_ROW_LIMIT: "the service limit (10,000) is already the default",
    LOGEXPORT_INSIGHTS_TIMEOUT_SECONDS: "query timeout tuning; the default fits a 900 s invocation",
    LOGEXPORT_PART_ATTEMPTS: "retry tuning inside one invocation; Lambda's own retries and the dead-letter queue are the outer ones",
    LOGEXPORT_RETRY_BASE_MS: "retry tuning; the default (1 s, doubled per try, jittered) suits Logs Insights throttling",
    LOGEXPORT_HMAC_KEY: "the key as plain text, for the CLIs: the module puts no secret in environment variables; the function reads it from Secrets Manager (LOGEXPORT_HMAC_KEY_SECRET_ARN)",
  };
  const READ_BY_PLATFORM: Readonly<Record<string, string>> = { NODE_OPTIONS: "Node.js: the V8 heap cap" };

  it("sets the log stream, the sanitizer config and the HMAC key's secret ARN only when their variables are set", () => {
    expect(optional).toEqual([
      ["LOGEXPORT_LOG_STREAM", "log_stream_name"],
      ["LOGEXPORT_SANITIZER_CONFIG", "sanitizer_config"],
      ["LOGEXPORT_HMAC_KEY_SECRET_ARN", "hmac_key_secret_arn"],
    ]);
    expect(terraformKeys).not.toContain("LOGEXPORT_HMAC_KEY");
    // The Lambda's bundle reads JSON only: YAML given to the module reaches it as JSON.
    expect(local("lambda_environment")).toContain("LOGEXPORT_SANITIZER_CONFIG = jsonencode(yamldecode(var.sanitizer_config))");
  });

  it("sets only names the code or the runtime reads", () => {
    expect(terraformKeys.filter((k) => !code.includes(k) && !(k in READ_BY_PLATFORM))).toEqual([]);
  });

  it("sets every name the code reads, except the listed ones", () => {
    expect(code.filter((n) => !terraformKeys.includes(n) && !(n in LEFT_TO_DEFAULT))).toEqual([]);
    expect(Object.keys(LEFT_TO_DEFAULT).filter((n) => terraformKeys.includes(n) || !code.includes(n))).toEqual([]);
  });

  it("defaults the variables to the code's defaults", () => {
    const byName = new Map(allAwsSettings().map((s) => [s.name, s]));
    let compared = 0;
    for (const [name, expression] of env) {
      const variable = /^(?:tostring|join\(",", )?\(?var\.([a-z_]+)\)?$/.exec(expression)?.[1];
      const spec = byName.get(name);
      if (variable === undefined || spec?.default === undefined) continue;
      const value = literal(attribute(block(moduleText, "variable", variable).body, "default"));
      const raw = attribute(block(moduleText, "variable", variable).body, "default") ?? "";
      const rendered = Array.isArray(value) ? "" : value === undefined && raw.startsWith("[") ? [...raw.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join(",") : String(value);
      expect(rendered, `${name} = ${expression}`).toBe(spec.default);
      compared += 1;
    }
    expect(compared, "settings whose defaults were compared").toBe(13);
  });
});

describe("AWS example", () => {
  const moduleCall = block(exampleText, "module", "access_log_export").body;
  const moduleVariables = blocks(moduleText, "variable").map((v) => ({ name: v.labels[0] as string, required: attribute(v.body, "default") === undefined }));
  const passed = [...moduleCall.matchAll(/(?:^|\n)[ \t]*([a-z_][a-z0-9_]*)[ \t]*=(?!=)/g)].map((m) => m[1] as string).filter((n) => n !== "source");

  it("sets exactly the module's required variables", () => {
    expect(passed.sort()).toEqual(moduleVariables.filter((v) => v.required).map((v) => v.name).sort());
  });

  it("declares exactly the variables it passes on", () => {
    const declared = blocks(exampleText, "variable").map((v) => v.labels[0] as string).sort();
    const used = [...new Set([...exampleText.matchAll(/var\.([a-z0-9_]+)/g)].map((m) => m[1] as string))].sort();
    expect(declared).toEqual(used);
  });
});
