/**
 * Least-privilege and hardening facts of the AWS Terraform module, read from its HCL as HashiCorp's
 * parser reads it (providers cannot be downloaded here, so `terraform plan` cannot run; the schema
 * check in check.test.ts stands in for `validate`): the role's exact actions and resources, prefixes
 * that cannot widen it, the bucket's hardening, the schedule's retries and dead-letter queue, one run
 * at a time, alarms that can publish, Glue tables matching the encoder's schemas, settings parity
 * with the code, and the example.
 */
import { describe, expect, it } from "vitest";
import { HIVE_TYPES } from "../../../shared/formats/parquet/ddl.js";
import { PULP_ACCESS_LOG_SCHEMA } from "../../../shared/formats/parquet/schema.js";
import { CONTENT_TYPES, contentSchema } from "../../../shared/parsers/content/types.js";
import { PULP_ENRICHED_SCHEMA } from "../../../shared/parsers/access-rows.js";
import { allAwsSettings } from "../../../shared/settings/aws-spec.js";
import { SECRET_ARN } from "../../../shared/settings/aws.js";
import { blockBodies, blocksOf, isBody, locals, type HclBody, type HclValue } from "../../../scripts/terraform/hcl.js";
import { referencesIn } from "../../../scripts/terraform/references.js";
import {
  blockBody,
  dataSource,
  dynamicContents,
  loadTerraform,
  local,
  moduleCall,
  objectLiterals,
  passes,
  referencedVariables,
  regexTerms,
  resource,
  strings,
  validations,
  variable,
  variablesReaching,
} from "./hcl.js";

const aws = await loadTerraform("terraform/modules/aws-access-log-export");
const example = await loadTerraform("terraform/examples/aws");

interface Statement {
  readonly sid: HclValue;
  readonly effect: HclValue;
  readonly actions: HclValue;
  readonly resources: HclValue;
  readonly body: HclBody;
}

/** A policy document's statements: the plain ones, then those of its dynamic blocks. */
function statements(policy: string): Statement[] {
  const body = dataSource(aws, "aws_iam_policy_document", policy);
  return [...blockBodies(body, "statement"), ...dynamicContents(body, "statement")].map((s) => ({
    sid: s.sid ?? null,
    effect: s.effect ?? "Allow",
    actions: s.actions ?? null,
    resources: s.resources ?? null,
    body: s,
  }));
}

const statement = (policy: string, sid: string): Statement => {
  const found = statements(policy).filter((s) => s.sid === sid);
  expect(found, `${policy} ${sid}`).toHaveLength(1);
  return found[0] as Statement;
};

const conditions = (s: HclBody) => blockBodies(s, "condition").map((c) => [c.test, c.variable, c.values]);
const principals = (s: HclBody) => blockBodies(s, "principals").map((p) => [p.type, p.identifiers]);
const defaultOf = (name: string): HclValue | undefined => variable(aws, name).default;

describe("AWS module: the function's role", () => {
  const role = statements("function");

  it("allows exactly these actions on exactly these resources", () => {
    expect(role.map((s) => [s.sid, s.actions, s.resources])).toEqual([
      ["QueryTheLogGroups", ["logs:StartQuery", "logs:FilterLogEvents"], '${concat(local.log_group_arns, [for arn in local.log_group_arns : "${arn}:*"])}'],
      ["ReadAndStopOwnQueries", ["logs:GetQueryResults", "logs:StopQuery"], ["*"]],
      ["WriteExports", ["s3:PutObject", "s3:AbortMultipartUpload"], '${[for p in values(local.export_prefixes) : "${local.bucket_arn}/${p}/*"]}'],
      ["ReadWriteState", ["s3:GetObject", "s3:PutObject"], ["${local.bucket_arn}/${var.state_prefix}/*"]],
      ["ListState", ["s3:ListBucket"], ["${local.bucket_arn}"]],
      ["FunctionLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], ["${aws_cloudwatch_log_group.function.arn}:*"]],
      ["DeadLetter", ["sqs:SendMessage"], ["${aws_sqs_queue.dead_letter.arn}"]],
      ["EncryptExports", ["kms:GenerateDataKey", "kms:Decrypt"], ["${statement.value}"]],
      ["ReadHmacKey", ["secretsmanager:GetSecretValue"], ["${statement.value}"]],
      ["DecryptHmacKey", ["kms:Decrypt"], ["${statement.value}"]],
    ]);
    expect(role.every((s) => s.effect === "Allow")).toBe(true);
  });

  it("reads exactly the secret named by hmac_key_secret_arn, and decrypts only with its key, through Secrets Manager, for that secret", () => {
    const body = dataSource(aws, "aws_iam_policy_document", "function");
    const dynamic = (sid: string) => {
      const found = isBody(body.dynamic) ? blockBodies(body.dynamic, "statement").filter((d) => blockBodies(d, "content").some((c) => c.sid === sid)) : [];
      expect(found, sid).toHaveLength(1);
      return found[0] as HclBody;
    };
    expect(dynamic("ReadHmacKey").for_each).toBe("${var.hmac_key_secret_arn == null ? [] : [var.hmac_key_secret_arn]}");
    const decrypt = dynamic("DecryptHmacKey");
    expect(decrypt.for_each).toBe("${var.hmac_key_secret_kms_key_arn == null ? [] : [var.hmac_key_secret_kms_key_arn]}");
    expect(conditions(blockBody(decrypt, "content"))).toEqual([
      ["StringEquals", "kms:ViaService", ["secretsmanager.${local.region}.amazonaws.com"]],
      ["StringEquals", "kms:EncryptionContext:SecretARN", ["${var.hmac_key_secret_arn}"]],
    ]);
    const policies = blocksOf(aws, "data").filter((b) => b.labels[0] === "aws_iam_policy_document");
    const secretsActions = policies.flatMap((p) => strings(p.body)).filter((s) => s.startsWith("secretsmanager:"));
    expect(new Set(secretsActions)).toEqual(new Set(["secretsmanager:GetSecretValue"]));
  });

  it("accepts the same secret ARNs for hmac_key_secret_arn as the code, and a KMS key only with a secret", async () => {
    const [arn] = validations(aws, "hmac_key_secret_arn");
    const terms = await regexTerms(arn?.condition ?? null, "hmac_key_secret_arn");
    expect(terms.map((t) => t.pattern.source)).toEqual([SECRET_ARN.source]);
    expect(validations(aws, "hmac_key_secret_kms_key_arn")[0]?.condition).toContain("var.hmac_key_secret_arn != null");
    expect(defaultOf("hmac_key_secret_arn")).toBeNull();
  });

  it("names the log groups and export prefixes from the variables, and reads, lists and deletes nothing else", () => {
    expect(local(aws, "log_group_arns")).toBe(
      '${[for g in var.log_group_names : "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${g}"]}',
    );
    expect(local(aws, "export_prefixes")).toBe('${{ for e in var.exports : e => e == "access" ? var.prefix : "${var.content_prefix}/${e}" }}');
    const actions = role.flatMap((s) => strings(s.actions));
    expect(
      actions.filter((a) => a.endsWith("*")),
      "no wildcard action",
    ).toEqual([]);
    expect(actions.filter((a) => /^s3:(Get|List|Delete)/.test(a))).toEqual(["s3:GetObject", "s3:ListBucket"]);
    expect(conditions(statement("function", "ListState").body)).toEqual([["StringLike", "s3:prefix", ["${var.state_prefix}/*"]]]);
  });

  it("lets no prefix variable that reaches the policy widen it: *, ? and empty segments are refused", async () => {
    const prefixes = (await variablesReaching(aws, "data.aws_iam_policy_document.function")).filter((name) => name.endsWith("prefix"));
    expect(prefixes).toEqual(["content_prefix", "prefix", "state_prefix"]);
    for (const name of prefixes) {
      const terms = (await Promise.all(validations(aws, name).map((v) => regexTerms(v.condition, name)))).flat();
      for (const bad of ["*", "logs*", "a/*", "a?b", "a//b", "/a", "a/", ""]) expect(passes(terms, bad), `${name} = ${JSON.stringify(bad)}`).toBe(false);
      for (const good of ["pulp-access-logs", "a/b_c.d", String(defaultOf(name))]) expect(passes(terms, good), `${name} = ${JSON.stringify(good)}`).toBe(true);
    }
  });

  it("is assumed by Lambda only and attached as one inline policy", () => {
    const [assume] = statements("assume");
    expect(assume?.actions).toEqual(["sts:AssumeRole"]);
    expect(principals(assume?.body ?? {})).toEqual([["Service", ["lambda.amazonaws.com"]]]);
    expect(resource(aws, "aws_iam_role_policy", "function").policy).toBe("${data.aws_iam_policy_document.function.json}");
    expect(blocksOf(aws, "resource").filter((r) => r.labels[0] === "aws_iam_role_policy_attachment")).toEqual([]);
  });
});

describe("AWS module: the bucket", () => {
  it("blocks every kind of public access", () => {
    const block = resource(aws, "aws_s3_bucket_public_access_block", "exports");
    for (const k of ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]) expect(block[k], k).toBe(true);
  });

  it("encrypts (S3 or KMS), versions and enforces bucket-owner ownership", () => {
    const sse = blockBody(resource(aws, "aws_s3_bucket_server_side_encryption_configuration", "exports"), "rule", "apply_server_side_encryption_by_default");
    expect(sse.sse_algorithm).toBe('${var.kms_key_arn == null ? "AES256" : "aws:kms"}');
    expect(blockBody(resource(aws, "aws_s3_bucket_versioning", "exports"), "versioning_configuration").status).toBe("Enabled");
    expect(blockBody(resource(aws, "aws_s3_bucket_ownership_controls", "exports"), "rule").object_ownership).toBe("BucketOwnerEnforced");
  });

  it("denies every request without TLS, on the bucket and its objects", () => {
    const tls = statement("bucket", "TlsOnly");
    expect([tls.effect, tls.actions, tls.resources]).toEqual(["Deny", ["s3:*"], ["${local.bucket_arn}", "${local.bucket_arn}/*"]]);
    expect(conditions(tls.body)).toEqual([["Bool", "aws:SecureTransport", ["false"]]]);
    expect(resource(aws, "aws_s3_bucket_policy", "exports").policy).toBe("${data.aws_iam_policy_document.bucket.json}");
  });

  it("moves exports to Glacier, expires old versions and aborts stale multipart uploads", () => {
    const lifecycle = resource(aws, "aws_s3_bucket_lifecycle_configuration", "exports");
    const [archive] = dynamicContents(lifecycle, "rule");
    expect(blockBody(archive ?? {}, "transition")).toEqual({ days: "${var.glacier_after_days}", storage_class: "GLACIER" });
    expect(blockBody(archive ?? {}, "noncurrent_version_expiration")).toEqual({ noncurrent_days: "${var.noncurrent_version_days}" });
    expect(blockBody(lifecycle, "rule", "abort_incomplete_multipart_upload")).toEqual({ days_after_initiation: 1 });
  });
});

describe("AWS module: schedule, retries, one run at a time, dead letters", () => {
  it("runs hourly at the configured minute and retries into a dead-letter queue", () => {
    expect(resource(aws, "aws_cloudwatch_event_rule", "hourly").schedule_expression).toBe("cron(${var.schedule_minute} * * * ? *)");
    const target = resource(aws, "aws_cloudwatch_event_target", "export");
    expect(target.arn).toBe("${aws_lambda_function.export.arn}");
    expect(blockBody(target, "dead_letter_config").arn).toBe("${aws_sqs_queue.dead_letter.arn}");
    expect(blockBody(target, "retry_policy").maximum_retry_attempts).toBe(8);
    const invoke = resource(aws, "aws_lambda_function_event_invoke_config", "export");
    expect(invoke.maximum_retry_attempts).toBe("${var.retry_attempts}");
    expect(blockBody(invoke, "destination_config", "on_failure").destination).toBe("${aws_sqs_queue.dead_letter.arn}");
    const permission = resource(aws, "aws_lambda_permission", "events");
    expect(permission.principal).toBe("events.amazonaws.com");
    expect(permission.source_arn).toBe("${aws_cloudwatch_event_rule.hourly.arn}");
  });

  it("saves the invoke configuration only after the role policy Lambda checks its destination against", () => {
    expect(resource(aws, "aws_lambda_function_event_invoke_config", "export").depends_on).toEqual(["${aws_iam_role_policy.function}"]);
    expect(resource(aws, "aws_iam_role_policy", "function").role).toBe("${aws_iam_role.function.id}");
    expect(resource(aws, "aws_lambda_function", "export").role).toBe("${aws_iam_role.function.arn}");
  });

  it("reserves concurrency 1 by default, so the schedule and a manual run never export at once", () => {
    expect(resource(aws, "aws_lambda_function", "export").reserved_concurrent_executions).toBe("${var.reserved_concurrency}");
    expect(defaultOf("reserved_concurrency")).toBe(1);
    expect(validations(aws, "reserved_concurrency").map((v) => v.condition)).toEqual([
      "${var.reserved_concurrency == null ? true : var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000 && floor(var.reserved_concurrency) == var.reserved_concurrency}",
    ]);
  });

  it("lets only the rule put into the encrypted dead-letter queue, over TLS", () => {
    expect(resource(aws, "aws_sqs_queue", "dead_letter").sqs_managed_sse_enabled).toBe(true);
    expect(statements("dead_letter").map((s) => [s.sid, s.effect, s.actions])).toEqual([
      ["RuleDeliveryFailures", "Allow", ["sqs:SendMessage"]],
      ["TlsOnly", "Deny", ["sqs:*"]],
    ]);
    expect(conditions(statement("dead_letter", "RuleDeliveryFailures").body)).toEqual([
      ["ArnEquals", "aws:SourceArn", ["${aws_cloudwatch_event_rule.hourly.arn}"]],
    ]);
  });

  it("alarms on function errors and on dead letters", () => {
    expect(resource(aws, "aws_cloudwatch_metric_alarm", "errors").metric_name).toBe("Errors");
    const dlq = resource(aws, "aws_cloudwatch_metric_alarm", "dead_letters");
    expect(dlq.metric_name).toBe("ApproximateNumberOfMessagesVisible");
    expect(dlq.dimensions).toEqual({ QueueName: "${aws_sqs_queue.dead_letter.name}" });
  });

  it("encrypts the alarm topic with a key CloudWatch may use, so alarms can publish", () => {
    const topic = resource(aws, "aws_sns_topic", "alarms");
    const key = resource(aws, "aws_kms_key", "alarms");
    expect(topic.kms_master_key_id).toBe("${aws_kms_key.alarms[0].arn}");
    expect(key.count).toBe(topic.count);
    expect(key.enable_key_rotation).toBe(true);
    expect(key.policy).toBe("${data.aws_iam_policy_document.alarm_key.json}");
    const publish = statement("alarm_key", "AlarmsPublish");
    expect(principals(publish.body)).toEqual([["Service", ["cloudwatch.amazonaws.com"]]]);
    expect(publish.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(principals(statement("alarm_key", "AccountAdministers").body)).toEqual([["AWS", ["arn:${local.partition}:iam::${local.account_id}:root"]]]);
    expect(
      blocksOf(aws, "resource")
        .flatMap((b) => strings(b.body))
        .filter((s) => s.startsWith("alias/aws/")),
      "no AWS managed key",
    ).toEqual([]);
    for (const alarm of ["errors", "dead_letters"]) expect(resource(aws, "aws_cloudwatch_metric_alarm", alarm).alarm_actions).toBe("${local.alarm_actions}");
    expect(local(aws, "alarm_actions")).toBe("${aws_sns_topic.alarms[*].arn}");
  });

  it("runs Node 22 on arm64 from the built bundle, which must exist before plan, with the heap cap the bench measures", () => {
    const fn = resource(aws, "aws_lambda_function", "export");
    expect([fn.runtime, fn.architectures, fn.handler, fn.filename, fn.source_code_hash]).toEqual([
      "nodejs22.x",
      ["arm64"],
      "index.handler",
      "${var.lambda_zip_path}",
      "${filebase64sha256(var.lambda_zip_path)}",
    ]);
    expect(validations(aws, "lambda_zip_path").map((v) => v.condition)).toEqual(["${fileexists(var.lambda_zip_path)}"]);
    expect(environment?.entries.get("NODE_OPTIONS")).toBe('"--max-old-space-size=${var.heap_mb}"');
    expect(defaultOf("heap_mb")).toBe(1024);
  });

  it("declares no local value it does not use", () => {
    expect(locals(aws).has("content_exports")).toBe(false);
  });
});

describe("AWS module: Glue tables match the encoder's schemas", () => {
  const pairs = (columns: HclValue | undefined) => (Array.isArray(columns) ? columns.filter(isBody).map((c) => [c.name, c.type]) : []);

  it("declares the access table's columns, enriched ones included, as the encoder writes them", async () => {
    const access = (await objectLiterals(local(aws, "access_columns"))).map((o) =>
      [o.entries.get("name"), o.entries.get("type")].map((v) => JSON.parse(v ?? "null") as string),
    );
    expect(access).toEqual(PULP_ENRICHED_SCHEMA.map((c) => [c.name, HIVE_TYPES[c.type]]));
    expect(access.slice(0, PULP_ACCESS_LOG_SCHEMA.length)).toEqual(PULP_ACCESS_LOG_SCHEMA.map((c) => [c.name, HIVE_TYPES[c.type]]));
  });

  it("declares each content type's columns as the encoder writes them", () => {
    const common = pairs(local(aws, "content_common_columns"));
    const own = local(aws, "content_type_columns");
    for (const type of CONTENT_TYPES) {
      expect([...common, ...pairs(isBody(own) ? own[type] : undefined)], type).toEqual(contentSchema(type).map((c) => [c.name, HIVE_TYPES[c.type]]));
    }
  });

  it("projects the hourly partitions of each export's prefix", () => {
    const parameters = resource(aws, "aws_glue_catalog_table", "export").parameters;
    expect(isBody(parameters) && parameters["storage.location.template"]).toBe(
      "s3://${var.bucket_name}/${each.value}/year=$${year}/month=$${month}/day=$${day}/hour=$${hour}/",
    );
    expect(isBody(parameters) && parameters["projection.enabled"]).toBe("true");
  });
});

const [environment, ...conditional] = await objectLiterals(local(aws, "lambda_environment"));

describe("AWS module: the function's environment and the code's settings table", () => {
  const env = environment?.entries ?? new Map<string, string>();
  const terraformKeys = [...env.keys(), ...conditional.flatMap((o) => [...o.entries.keys()])];
  const code = allAwsSettings().map((s) => s.name);
  /** Read by the code, deliberately not set by the module. */
  const LEFT_TO_DEFAULT: Readonly<Record<string, string>> = {
    LOGEXPORT_QUERY_ROW_LIMIT: "the service limit (10,000) is already the default",
    LOGEXPORT_INSIGHTS_TIMEOUT_SECONDS: "query timeout tuning; the default fits a 900 s invocation",
    LOGEXPORT_PART_ATTEMPTS: "retry tuning inside one invocation; Lambda's own retries and the dead-letter queue are the outer ones",
    LOGEXPORT_RETRY_BASE_MS: "retry tuning; the default (1 s, doubled per try, jittered) suits Logs Insights throttling",
    LOGEXPORT_RETRY_MAX_MS: "retry tuning; the default cap (30 s) stays well inside one invocation's time",
    LOGEXPORT_LOG_FORMAT:
      "the module deploys the Pulp export, whose lines are the default (pulp); exporting combined or nginx JSON logs from a Lambda needs a module variable first (issue 16's report)",
    LOGEXPORT_HMAC_KEY:
      "the key as plain text, for the CLIs: the module puts no secret in environment variables; the function reads it from Secrets Manager (LOGEXPORT_HMAC_KEY_SECRET_ARN)",
  };
  const READ_BY_PLATFORM: Readonly<Record<string, string>> = { NODE_OPTIONS: "Node.js: the V8 heap cap" };

  it("sets the log stream, the sanitizer config and the HMAC key's secret ARN only when their variables are set", () => {
    expect(conditional.map((o) => [o.guard, [...o.entries]])).toEqual([
      ["var.log_stream_name == null", [["LOGEXPORT_LOG_STREAM", "var.log_stream_name"]]],
      // The Lambda's bundle reads JSON only: YAML given to the module reaches it as JSON.
      ["var.sanitizer_config == null", [["LOGEXPORT_SANITIZER_CONFIG", "jsonencode(yamldecode(var.sanitizer_config))"]]],
      ["var.hmac_key_secret_arn == null", [["LOGEXPORT_HMAC_KEY_SECRET_ARN", "var.hmac_key_secret_arn"]]],
    ]);
    expect(terraformKeys).not.toContain("LOGEXPORT_HMAC_KEY");
  });

  it("sets only names the code or the runtime reads", () => {
    expect(terraformKeys.filter((k) => !code.includes(k) && !(k in READ_BY_PLATFORM))).toEqual([]);
  });

  it("sets every name the code reads, except the listed ones", () => {
    expect(code.filter((n) => !terraformKeys.includes(n) && !(n in LEFT_TO_DEFAULT))).toEqual([]);
    expect(Object.keys(LEFT_TO_DEFAULT).filter((n) => terraformKeys.includes(n) || !code.includes(n))).toEqual([]);
  });

  it("defaults the variables to the code's defaults", async () => {
    const byName = new Map(allAwsSettings().map((s) => [s.name, s]));
    let compared = 0;
    for (const [name, source] of env) {
      const spec = byName.get(name);
      const references = await referencesIn(`\${${source}}`);
      const only = references.length === 1 && references[0]?.root === "var" ? references[0].steps[0] : undefined;
      if (spec?.default === undefined || only === undefined || !("name" in only)) continue;
      const value = defaultOf(only.name);
      const rendered = Array.isArray(value) ? value.join(",") : String(value);
      expect(rendered, `${name} = ${source}`).toBe(spec.default);
      compared += 1;
    }
    expect(compared, "settings whose defaults were compared").toBe(13);
  });
});

describe("AWS example", () => {
  const call = moduleCall(example, "access_log_export");
  const passed = Object.keys(call).filter((n) => n !== "source");
  const required = blocksOf(aws, "variable")
    .filter((v) => !("default" in v.body))
    .map((v) => v.labels[0] as string);

  it("sets exactly the module's required variables", () => {
    expect(passed.sort()).toEqual(required.sort());
  });

  it("declares exactly the variables it passes on", async () => {
    expect(
      blocksOf(example, "variable")
        .map((v) => v.labels[0])
        .sort(),
    ).toEqual(await referencedVariables(example));
  });
});
