/**
 * Stands in for `terraform validate` (and a few tflint rules) where providers cannot be
 * downloaded: every module and example under terraform/, or the directories given, against the
 * provider schemas in terraform/schema/. Exits 1 on any finding.
 *
 *   npm run terraform:check [-- <dir> …]
 */
import { checkTerraform, terraformDirs } from "./terraform/check.js";
import { SCHEMA_DIR } from "./terraform/schema.js";

const started = performance.now();
const dirs = process.argv.slice(2);
const result = await checkTerraform(dirs.length > 0 ? dirs : terraformDirs(), SCHEMA_DIR);
for (const f of result.findings) console.log(`${f.file}: ${f.at}: ${f.message}`);
const c = result.coverage;
const against = result.schemas.map((s) => `${s.source} ${s.version}`).join(", ");
console.log(
  `terraform check: ${c.modules} directories, ${c.blocks} resource/data/provider blocks of ${c.types} types, ${c.arguments} arguments and nested blocks, ${c.references} references, against ${against}: ${result.findings.length} findings in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
process.exitCode = result.findings.length > 0 ? 1 : 0;
