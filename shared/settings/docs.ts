import { allSettings } from "./spec.js";

/** The settings table as Markdown; docs/settings.md holds exactly this (a test checks). */
export function renderSettingsMarkdown(): string {
  const rows = allSettings().map((s) => `| \`${s.name}\` | ${s.required ? "**required**" : s.default === undefined ? "—" : s.default === "" ? "(empty)" : `\`${s.default}\``} | ${s.description} |`);
  return [
    "# Settings",
    "",
    "Every app setting and environment variable the Azure export reads. Terraform sets exactly these names.",
    "Generated from `shared/settings/spec.ts` by `npm run docs:settings`; do not edit by hand.",
    "",
    "| name | default | meaning |",
    "| --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
