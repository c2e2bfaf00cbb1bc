import { allAwsSettings } from "./aws-spec.js";
import { allSettings, type SettingSpec } from "./spec.js";

function rows(settings: readonly SettingSpec[]): string[] {
  return [
    "| name | default | meaning |",
    "| --- | --- | --- |",
    ...settings.map(
      (s) =>
        `| \`${s.name}\` | ${s.required ? "**required**" : s.default === undefined ? "—" : s.default === "" ? "(empty)" : `\`${s.default}\``} | ${s.description} |`,
    ),
  ];
}

/** The settings tables as Markdown; docs/settings.md holds exactly this (a test checks). */
export function renderSettingsMarkdown(): string {
  return [
    "# Settings",
    "",
    "Every app setting and environment variable the exports read. Terraform sets exactly these names.",
    "Generated from `shared/settings/spec.ts` and `shared/settings/aws-spec.ts` by `npm run docs:settings`; do not edit by hand.",
    "",
    "## Azure export (Function App settings)",
    "",
    ...rows(allSettings()),
    "",
    "## AWS export (Lambda environment)",
    "",
    "AWS region, credentials and endpoints come from the standard AWS chain (`AWS_REGION`, the Lambda role, `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` for emulators).",
    "",
    ...rows(allAwsSettings()),
    "",
  ].join("\n");
}
