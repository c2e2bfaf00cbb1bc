import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";
import { assertOnlyCloud, packagesOf } from "../../../scripts/bundle-clouds.js";
import { FUNCTIONS, LAMBDA_BUILD } from "../../../scripts/build.js";
import { NODE_ESM } from "../../../scripts/node-esm.js";

async function metafileOf(entryPoints: Record<string, string>, options = NODE_ESM): Promise<Metafile> {
  const result = await build({
    ...options,
    entryPoints,
    outdir: "/tmp/logexport-bundle-check",
    write: false,
    metafile: true,
    minify: false,
    sourcemap: false,
    splitting: true,
    external: ["@azure/functions-core"],
    logLevel: "silent",
  });
  return result.metafile;
}

describe("each bundle carries only its own cloud", () => {
  it("the Lambda bundle holds AWS clients, environment credentials only, no YAML parser and no @azure package", async () => {
    const metafile = await metafileOf({ index: "lambda/handler.ts" }, LAMBDA_BUILD);
    const aws = packagesOf(metafile, "aws");
    expect(aws).toContain("@aws-sdk/client-cloudwatch-logs");
    expect(aws).toContain("@aws-sdk/credential-provider-env");
    expect(aws.filter((name) => /credential-provider-(node|sso|ini|process|web-identity)|nested-clients/.test(name))).toEqual([]);
    expect(Object.keys(metafile.inputs).filter((path) => path.includes("node_modules/yaml/"))).toEqual([]);
    expect(packagesOf(metafile, "azure")).toEqual([]);
    expect(() => assertOnlyCloud(metafile, "Lambda", "azure")).not.toThrow();
  }, 60_000);

  it("the Functions bundle holds Azure clients and no @aws-sdk package", async () => {
    const metafile = await metafileOf(Object.fromEntries(FUNCTIONS.map((name) => [`functions/${name}`, `functions/app/${name}.ts`])));
    expect(packagesOf(metafile, "azure")).toContain("@azure/storage-blob");
    expect(packagesOf(metafile, "aws")).toEqual([]);
  }, 60_000);

  it("names the stray package and who imports it when a bundle holds the other cloud", () => {
    const metafile: Metafile = {
      inputs: {
        "shared/wiring/aws.ts": {
          bytes: 1,
          imports: [{ path: "node_modules/@azure/storage-blob/dist/index.js", kind: "import-statement", original: "@azure/storage-blob" }],
        },
        "node_modules/@azure/storage-blob/dist/index.js": { bytes: 1, imports: [] },
      },
      outputs: {},
    };
    expect(packagesOf(metafile, "azure")).toEqual(["@azure/storage-blob"]);
    expect(() => assertOnlyCloud(metafile, "Lambda", "azure")).toThrow(/@azure\/storage-blob \(imported by shared\/wiring\/aws\.ts\)/);
  });
});
