/**
 * CLI flags: the flag parser, the time parser and integer flags on random
 * input, then every command on real argument lists with one thing made
 * invalid (an unknown flag, a stray argument, a missing value or required
 * flag, a bad value). A refused command throws CliError or ConfigurationError
 * naming the flag (runMain prints one line, exit 2), prints nothing on stdout
 * and leaves no output file, directory or container behind.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { integerFlag, parseFlags, type FlagSpec } from "../../cli/args.js";
import { analyzeSchemaCommand, ANALYZE_SCHEMA_FLAGS } from "../../cli/commands/analyze-schema.js";
import { BACKFILL_FLAGS, backfillCommand } from "../../cli/commands/backfill.js";
import { CLOUDWATCH_EXPORT_FLAGS } from "../../cli/commands/cloudwatch-export.js";
import { exportAccessLogsCommand } from "../../cli/commands/export-access-logs.js";
import { exportContentLogsCommand } from "../../cli/commands/export-content-logs.js";
import { EXPORT_FLAGS, exportCommand } from "../../cli/commands/export.js";
import { SANITIZE_FLAGS, sanitizeCommand } from "../../cli/commands/sanitize.js";
import { STATUS_FLAGS, statusCommand } from "../../cli/commands/status.js";
import { uploadParquetCommand } from "../../cli/commands/upload-parquet.js";
import { CliError } from "../../cli/errors.js";
import { azureExportFromFlags, outputTarget } from "../../cli/common.js";
import type { Command } from "../../cli/run.js";
import { parseInstant } from "../../cli/time.js";
import { ConfigurationError } from "../../shared/core/errors.js";
import { createParquetEncoder } from "../../shared/formats/parquet/encoder.js";
import { PULP_ACCESS_LOG_SCHEMA } from "../../shared/formats/parquet/schema.js";
import { capturedIO } from "../helpers/cli-io.js";
import { listenOnLoopback, type Listening } from "../helpers/loopback-server.js";
import { uniqueName } from "../helpers/storage.js";
import { nastyChar } from "./mutate.js";

const NOW = Date.UTC(2026, 10, 22, 3, 17);
const MAX_DATE_MS = 8.64e15;

function isRefusal(error: unknown): error is CliError | ConfigurationError {
  return error instanceof CliError || error instanceof ConfigurationError;
}

describe("fuzz: the flag parser, times and integer flags", () => {
  const specs: readonly FlagSpec[] = [
    { name: "table", required: true, description: "t" },
    { name: "start", default: "-7d", description: "s" },
    { name: "force", boolean: true, description: "f" },
    { name: "out", description: "o" },
  ];
  const token = fc.oneof(
    fc.constantFrom(
      "--table",
      "--start",
      "--force",
      "--out",
      "--table=A",
      "--start=",
      "--force=yes",
      "--out=x=y",
      "--",
      "-t",
      "--Table",
      "--tab le",
      "--unknown",
      "--1x",
    ),
    fc.string({ unit: nastyChar, maxLength: 8 }),
    fc.string({ maxLength: 8 }).map((s) => `--${s}`),
  );

  it("parseFlags: known flags with string or true values and every required flag, or a CliError saying which argument (3,000 cases)", () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        let flags;
        try {
          flags = parseFlags(argv, specs);
        } catch (error) {
          expect(error).toBeInstanceOf(CliError);
          expect((error as CliError).exitCode).toBe(2);
          expect((error as Error).message).toMatch(
            /^(unexpected argument ".*"|unknown flag --\S* \(known: |--\S+ (takes no value|needs a value|is required: ))/s,
          );
          return;
        }
        expect(Object.keys(flags).every((k) => specs.some((s) => s.name === k))).toBe(true);
        expect(typeof flags.table).toBe("string");
        expect(flags.start === undefined || typeof flags.start === "string").toBe(true);
        expect(flags.force === undefined || flags.force === true).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  const relative = fc
    .tuple(
      fc.constantFrom("", "now-", "now - ", "-", "- "),
      fc.oneof(fc.nat({ max: 10_000 }).map(String), fc.stringMatching(/^\d{1,40}$/)),
      fc.constantFrom("", " "),
      fc.constantFrom("s", "m", "h", "d", "w", "days", "weeks", "fortnights", "y", ""),
      fc.constantFrom("", " ago", "ago"),
    )
    .map((parts) => parts.join(""));
  const iso = fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(
      "2026-11-22",
      "2026-11-22T10:00Z",
      "2026-11-22T10:00:00+05:30",
      "2026-11-22T10:00:00",
      "2026-02-30",
      "2026-13-01",
      "0000-01-01",
      "9999-12-31T23:59:59.999999Z",
      "now",
      " NOW ",
      "ago",
    ),
  );
  const timeText = fc.oneof(relative, iso, fc.string({ maxLength: 20 }), fc.string({ unit: nastyChar, maxLength: 10 }));

  it("parseInstant: an instant a Date can hold, or a CliError naming the flag (3,000 cases)", () => {
    fc.assert(
      fc.property(timeText, (text) => {
        let ms: number;
        try {
          ms = parseInstant(text, NOW, "--start");
        } catch (error) {
          expect(error).toBeInstanceOf(CliError);
          expect((error as Error).message.startsWith("--start: ")).toBe(true);
          return;
        }
        expect(Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS).toBe(true);
        expect(() => new Date(ms).toISOString()).not.toThrow();
      }),
      // Found by this property: "-99999999999999999999d" was accepted as -8.6e27 ms, and describing the range then threw RangeError.
      { numRuns: 3_000, examples: [["99999999999999999999d ago"], ["-99999999999999999999d"], ["now-9999999999999w"]] },
    );
  });

  it("integerFlag: a whole number within its bounds, or a CliError naming the flag (2,000 cases)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer().map(String),
          fc.stringMatching(/^\d{1,25}$/),
          fc.string({ maxLength: 8 }),
          fc.constantFrom("1e3", "0x10", " 5", "5 ", "+5", "-0", "", "٣"),
        ),
        (text) => {
          let value: number | undefined;
          try {
            value = integerFlag({ n: text }, "n", 1, 64);
          } catch (error) {
            expect(error).toBeInstanceOf(CliError);
            expect((error as Error).message).toContain("--n must be a whole number from 1 to 64");
            return;
          }
          expect(Number.isInteger(value) && (value ?? 0) >= 1 && (value ?? 0) <= 64).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("--out: a directory or a Blob container, or a CliError naming --out or the connection string (1,000 cases)", () => {
    const out = fc.oneof(
      fc
        .tuple(fc.constantFrom("https://", "http://", "HTTPS://", "http://127.0.0.1:10000/"), fc.string({ unit: nastyChar, maxLength: 12 }))
        .map(([scheme, rest]) => scheme + rest),
      fc.constantFrom("https://", "https://[", "http://:80/c", "https://acct.blob.core.windows.net", "https://acct.blob.core.windows.net/c/p/q"),
    );
    fc.assert(
      fc.property(out, fc.constantFrom(undefined, "garbage", "UseDevelopmentStorage=true", "AccountName=a;AccountKey=b"), (text, connectionString) => {
        try {
          const flags = { table: "Syslog" };
          const io = capturedIO({
            env: {
              LOGEXPORT_WORKSPACE_ID: "11111111-2222-3333-4444-555555555555",
              ...(connectionString === undefined ? {} : { AZURE_STORAGE_CONNECTION_STRING: connectionString }),
            },
          });
          const exporter = azureExportFromFlags(flags, io, "table", outputTarget(text, flags, io));
          expect(exporter.location.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(CliError);
          expect((error as Error).message).toMatch(/--out|connection string|AZURE_STORAGE_CONNECTION_STRING/);
          // The message names the setting, never the connection string's contents.
          if (connectionString?.includes("AccountKey")) expect((error as Error).message).not.toContain("AccountKey=b");
        }
      }),
      // Found by this property: the first two threw TypeError "Invalid URL", the third the SDK's Error "Unable to extract containerName".
      {
        numRuns: 1_000,
        examples: [
          ["https://", undefined],
          ["https://acct.blob.core.windows.net/c", "garbage"],
          ["https://A/%", undefined],
        ],
      },
    );
  });
});

/** An argument list kept as (flag, value) pairs so one pair can be broken; a boolean flag has no value. */
type Args = ReadonlyArray<readonly [string, string | undefined]>;

function argv(args: Args): string[] {
  return args.flatMap(([flag, value]) => (value === undefined ? [`--${flag}`] : [`--${flag}`, value]));
}

interface Poison {
  readonly label: string;
  readonly argv: string[];
  /** What the refusal must name. */
  readonly names: RegExp;
}

/** Breaks one thing in a valid argument list; `bad` gives invalid values for flags whose format the command checks. */
function poisons(base: Args, specs: readonly FlagSpec[], bad: Readonly<Record<string, fc.Arbitrary<string>>>): fc.Arbitrary<Poison> {
  const known = new Set(specs.map((s) => s.name));
  const requiredPresent = base.filter(([flag]) => specs.find((s) => s.name === flag)?.required === true).map(([flag]) => flag);
  const valueFlags = base.filter(([, value]) => value !== undefined).map(([flag]) => flag);
  const booleanFlags = specs.filter((s) => s.boolean === true && s.name !== "help").map((s) => s.name);
  const options: fc.Arbitrary<Poison>[] = [
    fc
      .stringMatching(/^[a-z][a-z0-9-]{0,12}$/)
      .filter((name) => !known.has(name))
      .map((name) => ({ label: "unknown flag", argv: [...argv(base), `--${name}`], names: new RegExp(`unknown flag --${name} `) })),
    fc
      .tuple(
        fc.string({ unit: nastyChar, minLength: 1, maxLength: 8 }).filter((s) => !s.startsWith("--")),
        fc.nat(),
      )
      .map(([junk, at]) => {
        const list = argv(base);
        // Placed before a flag (never as a flag's value), it is a stray argument.
        const flagPositions = list.flatMap((a, i) => (a.startsWith("--") ? [i] : []));
        const position = flagPositions[at % flagPositions.length] ?? 0;
        return { label: "stray argument", argv: [...list.slice(0, position), junk, ...list.slice(position)], names: /unexpected argument/ };
      }),
    fc.constantFrom(...valueFlags).map((flag) => ({
      label: "missing value",
      argv: [...argv(base.filter(([f]) => f !== flag)), `--${flag}`],
      names: new RegExp(`--${flag} needs a value`),
    })),
  ];
  if (booleanFlags.length > 0)
    options.push(
      fc
        .constantFrom(...booleanFlags)
        .map((flag) => ({ label: "boolean with a value", argv: [...argv(base), `--${flag}=yes`], names: new RegExp(`--${flag} takes no value`) })),
    );
  if (requiredPresent.length > 0)
    options.push(
      fc
        .constantFrom(...requiredPresent)
        .map((flag) => ({ label: "required flag missing", argv: argv(base.filter(([f]) => f !== flag)), names: new RegExp(`--${flag} is required`) })),
    );
  for (const [flag, values] of Object.entries(bad)) options.push(values.map((value) => badValue(base, flag, value)));
  return fc.oneof(...options);
}

/** `--flag value` in place of the base's; the refusal names the flag (or, for the CloudWatch commands, the setting it feeds), or quotes the value. */
function badValue(base: Args, flag: string, value: string): Poison {
  return {
    label: `bad --${flag}`,
    argv: argv([...base.filter(([f]) => f !== flag), [flag, value]]),
    names: new RegExp(`--${flag}|LOGEXPORT_|${escapeRegExp(JSON.stringify(value).slice(1, -1))}|${escapeRegExp(value)}`),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Text that can never be a valid time, number, GUID, table or URL: it starts with a character none of them may start with. */
const junk = fc.string({ unit: nastyChar, maxLength: 10 }).map((s) => `~${s}`);
const badTime = fc.oneof(junk, fc.constantFrom("2026-13-45", "tomorrow", "5 fortnights ago", "99999999999999999999d ago", "2026-11-22T10"));
const badWindow = fc.oneof(junk, fc.constantFrom("0", "7", "1441", "-5", "1e3", "60.5", ""));
const badTables = fc.oneof(junk, fc.constantFrom("a b", "", "1abc", "x,,y", "T|x", "a".repeat(64)));
const GUID = "00000000-0000-4000-8000-000000000001";

/** Flags a command takes besides its exported list (its own and the shared tail), by name: what an unknown flag must not be. */
function flagNames(values: readonly string[], booleans: readonly string[]): FlagSpec[] {
  return [...values.map((name) => ({ name, description: "" })), ...booleans.map((name) => ({ name, boolean: true, description: "" }))];
}

const CLOUDWATCH_TAIL_FLAGS = flagNames(["sanitizer-config", "concurrency"], ["sanitize", "dry-run", "verbose", "help"]);

interface CommandCase {
  readonly name: string;
  readonly run: Command;
  readonly specs: readonly FlagSpec[];
  readonly base: (unique: string) => Args;
  /** Invalid values per flag (built when the test runs: some name files made in beforeAll). */
  readonly bad: () => Readonly<Record<string, fc.Arbitrary<string>>>;
  /** What a refused run must not have created. */
  readonly leftovers: (unique: string) => Promise<string[]>;
  /** Bad values this suite found crashing or leaving objects behind before they were refused up front. */
  readonly regressions?: ReadonlyArray<readonly [string, string]>;
}

describe("fuzz: every command refuses a broken argument list before doing anything", () => {
  const connectionString = inject("azuriteConnectionString");
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  let refuser: Listening;
  let dir: string;
  let parquet: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    // Every query and upload a command would send gets a non-retriable 400: a base argument list that passes its checks fails fast, never reaching a real service.
    refuser = await listenOnLoopback(
      createServer((req, res) => {
        req.resume();
        req.on("end", () => {
          const aws = req.headers["x-amz-target"] !== undefined;
          res.writeHead(400, { "content-type": aws ? "application/x-amz-json-1.1" : "application/json" });
          res.end(
            aws
              ? JSON.stringify({ __type: "InvalidParameterException", message: "refused by the fuzz server" })
              : JSON.stringify({ error: { code: "BadArgumentError", message: "refused by the fuzz server" } }),
          );
        });
      }),
    );
    dir = await mkdtemp(join(tmpdir(), "cli-fuzz-"));
    parquet = join(dir, "rows.parquet");
    const chunks: Uint8Array[] = [];
    for await (const chunk of createParquetEncoder(PULP_ACCESS_LOG_SCHEMA).write([])) chunks.push(chunk);
    await writeFile(parquet, Buffer.concat(chunks));
    await writeFile(join(dir, "in.jsonl"), '{"a":1}\n');
    await writeFile(join(dir, "bad.yaml"), "version: 2\nfieldRules: [{path: '', action: nope}]\n");
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: refuser.url,
      AWS_ENDPOINT_URL_S3: refuser.url,
      AWS_ACCESS_KEY_ID: "fuzz",
      AWS_SECRET_ACCESS_KEY: "fuzz",
      AWS_MAX_ATTEMPTS: "1",
      AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
    });
  });
  afterAll(async () => {
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    await refuser.close();
    await rm(dir, { recursive: true, force: true });
  });

  const containerExists = async (name: string): Promise<string[]> => ((await blobs.getContainerClient(name).exists()) ? [`container ${name}`] : []);
  const fileExists = (path: string): string[] => (existsSync(path) ? [path] : []);
  const range: Args = [
    ["start", "2026-11-20T00:00:00Z"],
    ["end", "2026-11-20T01:00:00Z"],
  ];
  const cloudWatchRange: Args = [
    ["start-time", "2026-11-20T00:00:00Z"],
    ["end-time", "2026-11-20T01:00:00Z"],
  ];
  const badPaths = fc.oneof(junk, fc.constantFrom("no-slash", "/a b", "/a|b", '/a"b'));

  const cases: CommandCase[] = [
    {
      name: "export",
      run: exportCommand,
      specs: EXPORT_FLAGS,
      base: (u) => [
        ["workspace", GUID],
        ["table", "Heartbeat"],
        ...range,
        ["out", join(dir, u)],
        ["concurrency", "2"],
        ["max-rows", "1000"],
        ["max-bytes", "100000"],
        ["window-minutes", "60"],
      ],
      bad: () => ({
        workspace: junk,
        table: badTables,
        start: badTime,
        end: badTime,
        "window-minutes": badWindow,
        "max-rows": fc.constantFrom("0", "500001", "x"),
        "max-bytes": fc.constantFrom("1023", "64000001", "x"),
        concurrency: fc.constantFrom("0", "65", "x"),
        endpoint: junk,
        out: fc.constantFrom("https://", "https://["),
      }),
      leftovers: async (u) => fileExists(join(dir, u)),
      // --endpoint and --out threw TypeError "Invalid URL"; the far-past start threw RangeError.
      regressions: [
        ["endpoint", "~x"],
        ["out", "https://"],
        ["start", "99999999999999999999d ago"],
      ],
    },
    {
      name: "backfill",
      run: backfillCommand,
      specs: BACKFILL_FLAGS,
      base: (u) => [
        ["workspace", GUID],
        ["tables", "Heartbeat,Syslog"],
        ...range,
        ["container", `${u}d`],
        ["state-container", `${u}s`],
        ["concurrency", "2"],
        ["window-minutes", "60"],
      ],
      bad: () => ({
        workspace: junk,
        tables: badTables,
        start: badTime,
        end: badTime,
        "window-minutes": badWindow,
        concurrency: fc.constantFrom("0", "65", "x"),
        "max-rows": fc.constantFrom("0", "x"),
        endpoint: junk,
        "connection-string": junk,
        container: fc.constantFrom("Bad_Name", "ab", "-x-", "UPPER", "a--b"),
        "state-container": fc.constantFrom("Bad_Name", "ab", "x".repeat(64)),
        prefix: fc.constantFrom("../x", "a/../../y", ".", "a//b", "/", "a b"),
      }),
      leftovers: async (u) => [...(await containerExists(`${u}d`)), ...(await containerExists(`${u}s`))],
      // --concurrency was checked after both containers were created; a bad container name came back as a RestError after the other was
      // created; --prefix ../x wrote into container x; a malformed connection string threw TypeError.
      regressions: [
        ["concurrency", "0"],
        ["state-container", "Bad_Name"],
        ["prefix", "../x"],
        ["connection-string", "~x"],
      ],
    },
    {
      name: "status",
      run: statusCommand,
      specs: STATUS_FLAGS,
      base: (u) => [["tables", "Heartbeat"], ...range, ["state-container", `${u}s`], ["window-minutes", "60"]],
      bad: () => ({
        tables: badTables,
        start: badTime,
        end: badTime,
        "window-minutes": badWindow,
        "connection-string": junk,
        "state-container": fc.constantFrom("Bad_Name", "ab"),
      }),
      leftovers: async (u) => containerExists(`${u}s`),
      regressions: [
        ["state-container", "Bad_Name"],
        ["connection-string", "~x"],
      ],
    },
    {
      name: "export-access-logs",
      run: exportAccessLogsCommand,
      specs: [...CLOUDWATCH_EXPORT_FLAGS, ...flagNames(["filter-paths", "exclude-paths"], ["enrich"]), ...CLOUDWATCH_TAIL_FLAGS],
      base: (u) => [["cloudwatch-group", "/aws/pulp"], ...cloudWatchRange, ["output-path", join(dir, `${u}.parquet`)], ["concurrency", "2"]],
      bad: () => ({
        "start-time": badTime,
        "end-time": badTime,
        concurrency: fc.constantFrom("0", "x"),
        "filter-paths": badPaths,
        "exclude-paths": badPaths,
        "cloudwatch-group": fc.constantFrom("a b", "x".repeat(513)),
        "cloudwatch-stream": fc.constantFrom('a"b', "a:b", "a*"),
        "output-path": fc.constantFrom("s3://", "s3://x/", "s3://Bad_Bucket/k"),
      }),
      leftovers: async (u) => [...fileExists(join(dir, `${u}.parquet`)), ...fileExists(join(dir, `_${u}.parquet.manifest.json`))],
    },
    {
      name: "export-content-logs",
      run: exportContentLogsCommand,
      specs: [
        ...CLOUDWATCH_EXPORT_FLAGS,
        { name: "content-type", required: true, description: "" },
        ...flagNames(["content-path-prefix", "exclude-paths"], []),
        ...CLOUDWATCH_TAIL_FLAGS,
      ],
      base: (u) => [["cloudwatch-group", "/aws/pulp"], ["content-type", "rpm"], ...cloudWatchRange, ["output-path", join(dir, `${u}.parquet`)]],
      bad: () => ({
        "content-type": fc.oneof(junk, fc.constantFrom("RPM", "access", "")),
        "content-path-prefix": fc.oneof(junk, fc.constantFrom("/no-trailing", "relative/", "/a b/")),
        "exclude-paths": badPaths,
        "start-time": badTime,
      }),
      leftovers: async (u) => [...fileExists(join(dir, `${u}.parquet`)), ...fileExists(join(dir, `_${u}.parquet.manifest.json`))],
    },
    {
      name: "upload-parquet",
      run: uploadParquetCommand,
      specs: [
        { name: "source", required: true, description: "" },
        { name: "destination", required: true, description: "" },
        ...flagNames(["aws-region", "s3-endpoint-url", "s3-region"], ["help"]),
      ],
      base: () => [
        ["source", parquet],
        ["destination", "s3://logs/k.parquet"],
      ],
      bad: () => ({
        destination: fc.oneof(fc.constantFrom("s3://", "s3://x/", "s3://Bad_Bucket/k", "s3:/logs/k"), junk),
        source: fc.constantFrom(join(dir, "missing.parquet"), join(dir, "in.jsonl"), dir),
        "s3-endpoint-url": fc.constantFrom("ftp://x", "localhost:9000", "http://a b"),
      }),
      leftovers: async () => [],
    },
    {
      name: "sanitize",
      run: sanitizeCommand,
      specs: SANITIZE_FLAGS,
      base: (u) => [
        ["in", join(dir, "in.jsonl")],
        ["out", join(dir, `${u}.jsonl`)],
      ],
      bad: () => ({
        threads: fc.constantFrom("0", "65", "x"),
        config: fc.constantFrom(join(dir, "missing.yaml"), join(dir, "bad.yaml"), dir),
        in: fc.constantFrom(join(dir, "missing.jsonl"), dir),
      }),
      leftovers: async (u) => fileExists(join(dir, `${u}.jsonl`)),
    },
  ];

  for (const c of cases) {
    it(`${c.name}: its valid argument list passes every check; each broken one is refused naming the flag, with nothing left behind (30 cases)`, async () => {
      const baseline = uniqueName("fz");
      const outcome = await c
        .run(
          argv(c.base(baseline)),
          capturedIO({ now: () => NOW, env: { AZURE_STORAGE_CONNECTION_STRING: connectionString, AZURE_LOGS_ENDPOINT: `${refuser.url}/v1` } }),
        )
        .catch((error: unknown) => error);
      // The base reaches the (refusing) service or finishes: none of its flags is refused.
      expect(isRefusal(outcome), String(outcome)).toBe(false);
      await fc.assert(
        fc.asyncProperty(poisons(c.base(baseline), c.specs, c.bad()), async (poison) => {
          const unique = uniqueName("fz");
          const list = poison.argv.map((a) => a.replace(baseline, unique));
          const io = capturedIO({ now: () => NOW, env: { AZURE_STORAGE_CONNECTION_STRING: connectionString, AZURE_LOGS_ENDPOINT: `${refuser.url}/v1` } });
          const error = await c.run(list, io).then(
            (code) => new Error(`exit ${code}`),
            (e: unknown) => e,
          );
          expect(isRefusal(error), `${poison.label}: ${String(error)}`).toBe(true);
          expect((error as Error).message).toMatch(poison.names);
          expect(io.out()).toBe("");
          expect(await c.leftovers(unique)).toEqual([]);
        }),
        { numRuns: 30, examples: (c.regressions ?? []).map(([flag, value]) => [badValue(c.base(baseline), flag, value)]) },
      );
    });
  }

  it("analyze-schema: a broken argument list is refused naming the flag or the file (30 cases)", async () => {
    const file = join(dir, "in.jsonl");
    const broken = fc.oneof(
      fc.constantFrom<[string[], RegExp]>(
        [["--limit", "0", file], /--limit/],
        [["--limit", "x", file], /--limit/],
        [[join(dir, "missing.jsonl")], /cannot read it/],
        [[dir], /not a regular file/],
        [[file, "--config", join(dir, "bad.yaml")], /bad\.yaml/],
        [["--json"], /needs a JSON Lines file/],
        [[file, "--json=1"], /--json takes no value/],
      ),
      fc
        .stringMatching(/^[a-z][a-z-]{0,8}$/)
        .filter((n) => !ANALYZE_SCHEMA_FLAGS.some((s) => s.name === n))
        .map((n): [string[], RegExp] => [[file, `--${n}`], new RegExp(`unknown flag --${n} `)]),
    );
    expect(await analyzeSchemaCommand([file], capturedIO())).toBe(0);
    await fc.assert(
      fc.asyncProperty(broken, async ([list, names]) => {
        const io = capturedIO();
        const error = await analyzeSchemaCommand(list, io).then(
          (code) => new Error(`exit ${code}`),
          (e: unknown) => e,
        );
        expect(isRefusal(error), String(error)).toBe(true);
        expect((error as Error).message).toMatch(names);
        expect(io.out()).toBe("");
      }),
      { numRuns: 30 },
    );
  });
});
