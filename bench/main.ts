/** `npm run bench` runs every suite; `npm run bench -- <name>` runs one. Suites load on demand, so one suite does not import the others' SDKs. */
const SUITES: Readonly<Record<string, () => Promise<void>>> = {
  "azure-export": async () => (await import("./azure-export.js")).benchAzureExport(),
  "aws-export": async () => (await import("./aws-export.js")).benchAwsExport(),
  backfill: async () => (await import("./backfill.js")).benchBackfill(),
  "parquet-writers": async () => (await import("./parquet-writers.js")).benchParquetWriters(),
  sanitize: async () => (await import("./sanitize.js")).benchSanitize(),
  "cli-start": async () => (await import("./cli-start.js")).benchCliStart(),
  "code-size": async () => (await import("./code-size.js")).benchCodeSize(),
  "api-bounds": async () => (await import("./api-bounds.js")).benchApiBounds(),
  "coverage-page": async () => (await import("./coverage-page.js")).benchCoveragePage(),
  scale: async () => (await import("./scale.js")).benchScale(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in SUITES));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench suite(s): ${unknown.join(", ")}; known: ${Object.keys(SUITES).join(", ")}\n`);
  process.exitCode = 2;
} else {
  for (const [name, run] of Object.entries(SUITES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    process.stdout.write(`\n== ${name} ==\n`);
    await run();
  }
}
