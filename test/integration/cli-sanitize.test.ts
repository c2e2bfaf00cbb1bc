import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { capturedIO, type CapturedIO } from "../helpers/cli-io.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusLines } from "../../bench/sanitize-corpus.js";
import { analyzeSchemaCommand } from "../../cli/commands/analyze-schema.js";
import { sanitizeCommand } from "../../cli/commands/sanitize.js";
import { CliError } from "../../cli/errors.js";
import { ConfigurationError } from "../../shared/core/errors.js";

const KEY = Buffer.alloc(32, 9).toString("base64");
const EMAIL = "jane.o'neil+promo@mail.example.co.uk";
const CARD = "4111 1111 1111 1111";
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const AWS_KEY_ID = "AKIAQ7ZK2M4N6P3R5T7V";
const ORDER = "1234567812345670";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "logexport-cli-sanitize-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function io(options: { stdin?: string; env?: Record<string, string> } = {}): CapturedIO {
  return capturedIO(options);
}

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

const SAMPLE = [
  JSON.stringify({ level: "info", message: `reset link sent to ${EMAIL}`, http: { client_ip: "203.0.113.7", headers: { authorization: `Bearer ${JWT}` } } }),
  JSON.stringify({ level: "warn", message: `declined card ${CARD}; order ${ORDER} kept`, nested: [{ note: `key ${AWS_KEY_ID}` }], count: 3, ok: true }),
  `plain text line from ${EMAIL}`,
  JSON.stringify({ log: JSON.stringify({ msg: "embedded", user: EMAIL }), agent: "pip/24.3.1" }),
].join("\n");

function expectClean(text: string): void {
  for (const secret of [EMAIL, CARD, JWT, AWS_KEY_ID, "203.0.113.7"]) expect(text).not.toContain(secret);
}

describe("logexport sanitize", () => {
  it("round-trips a file: same lines, valid JSON for JSON, text sanitized as text, counts on stderr and no values", async () => {
    const input = await file("sample.jsonl", `${SAMPLE}\n`);
    const output = join(dir, "sample.out.jsonl");
    const cli = io();
    expect(await sanitizeCommand(["--in", input, "--out", output], cli)).toBe(0);
    const lines = (await readFile(output, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(4);
    expectClean(lines.join("\n"));
    const [first, second, text, embedded] = lines;
    expect(Object.keys(JSON.parse(first ?? "") as object)).toEqual(["level", "message", "http"]);
    const parsed = JSON.parse(second ?? "") as { message: string; count: number; ok: boolean; nested: unknown[] };
    expect(parsed).toMatchObject({ count: 3, ok: true });
    expect(parsed.message).toContain(ORDER);
    expect(parsed.nested).toHaveLength(1);
    expect(text).toMatch(/^plain text line from /);
    expect(JSON.parse((JSON.parse(embedded ?? "") as { log: string }).log)).toMatchObject({ msg: "embedded" });
    expect(embedded).toContain("pip/24.3.1");
    expect(cli.out()).toBe("");
    expect(cli.err()).toMatch(/sanitized 4 lines .* MB\/s, 1 thread/);
    expect(cli.err()).toMatch(/email\s+2/);
    expect(cli.err()).toMatch(/user\s+1/);
    expect(cli.err()).toMatch(/^logexport-sanitizer\/v2\+gitleaks-\d+\.\d+\.\d+; user identifiers redacted/m);
    expectClean(cli.err());
    expect((await readdir(dir)).filter((n) => n.endsWith(".partial"))).toEqual([]);
  });

  it("reads stdin and writes stdout by default, adding the missing final newline", async () => {
    const cli = io({ stdin: SAMPLE });
    expect(await sanitizeCommand([], cli)).toBe(0);
    const file1 = join(dir, "sample.out.jsonl");
    expect(cli.out()).toBe(await readFile(file1, "utf8"));
    expect(cli.err()).toMatch(/sanitized 4 lines/);
  });

  it("--strict fails on the first line that is not JSON, with its number, and leaves no --out file", async () => {
    const input = await file("strict.jsonl", `${[...corpusLines(5)].join("\n")}\nnot json at all\n${[...corpusLines(2)].join("\n")}\n`);
    const output = join(dir, "strict.out.jsonl");
    const run = sanitizeCommand(["--in", input, "--out", output, "--strict"], io());
    await expect(run).rejects.toThrow(CliError);
    await expect(run).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/line 6 is not valid JSON/) });
    expect((await readdir(dir)).filter((n) => n.startsWith(".strict.out") || n === "strict.out.jsonl")).toEqual([]);
  });

  it("--strict with worker threads reports the same line number", async () => {
    const lines = [...corpusLines(3000)];
    lines[2345] = "{truncated";
    const input = await file("strict-threads.jsonl", `${lines.join("\n")}\n`);
    await expect(sanitizeCommand(["--in", input, "--out", join(dir, "strict-threads.out"), "--strict", "--threads", "2"], io())).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/line 2346 is not valid JSON/),
    });
  });

  it("writes JSON Lines from a CRLF file with plain \\n endings", async () => {
    const cli = io({ stdin: `${JSON.stringify({ a: 1 })}\r\n${JSON.stringify({ to: EMAIL })}\r\n` });
    expect(await sanitizeCommand([], cli)).toBe(0);
    expect(cli.out()).toBe('{"a":1}\n{"to":"[REDACTED:email]"}\n');
  });

  it("--text treats every line as text, JSON-looking or not", async () => {
    const cli = io({ stdin: `${JSON.stringify({ to: EMAIL })}\nmail ${EMAIL} from 198.51.100.23\n` });
    expect(await sanitizeCommand(["--text"], cli)).toBe(0);
    const [json, text] = cli.out().split("\n");
    expect(json).toMatch(/^\{"to":"/);
    expect(text).toMatch(/^mail .* from /);
    expectClean(cli.out());
    await expect(sanitizeCommand(["--text", "--strict"], io({ stdin: "" }))).rejects.toThrow(/--strict applies to JSON Lines/);
  });

  it("--threads 2 writes byte-identical output to --threads 1, with the same counts", async () => {
    const input = await file("corpus.jsonl", `${[...corpusLines(4000)].join("\n")}\n`);
    const one = io({ env: { LOGEXPORT_HMAC_KEY: KEY } });
    const two = io({ env: { LOGEXPORT_HMAC_KEY: KEY } });
    expect(await sanitizeCommand(["--in", input, "--out", join(dir, "t1.jsonl"), "--threads", "1"], one)).toBe(0);
    expect(await sanitizeCommand(["--in", input, "--out", join(dir, "t2.jsonl"), "--threads", "2"], two)).toBe(0);
    // Buffer.compare, not toEqual: a deep equality over 1.5 MB takes seconds.
    expect(Buffer.compare(await readFile(join(dir, "t2.jsonl")), await readFile(join(dir, "t1.jsonl")))).toBe(0);
    expect(two.err()).toMatch(/sanitized 4000 lines .* 2 threads/);
    const table = (err: string) => err.split("\n").slice(1).join("\n");
    expect(table(two.err())).toBe(table(one.err()));
  });

  it("stops on Ctrl-C (the io signal) with exit code 130 and leaves no --out file", async () => {
    const input = await file("interrupted.jsonl", `${[...corpusLines(100)].join("\n")}\n`);
    const interrupt = new AbortController();
    interrupt.abort();
    const run = sanitizeCommand(["--in", input, "--out", join(dir, "interrupted.out")], { ...io(), signal: interrupt.signal });
    await expect(run).rejects.toMatchObject({ exitCode: 130, message: expect.stringMatching(/interrupted; .*interrupted\.out was not written/) });
    expect((await readdir(dir)).filter((n) => n.includes("interrupted.out"))).toEqual([]);
  });

  it("a bad config is one clear ConfigurationError naming the file; a missing config file is a usage error", async () => {
    const bad = await file("bad.yaml", "version: 1\nfieldRules:\n  - path: user_id\n    action: shred\n");
    await expect(sanitizeCommand(["--config", bad], io({ stdin: "" }))).rejects.toThrow(ConfigurationError);
    await expect(sanitizeCommand(["--config", bad], io({ stdin: "" }))).rejects.toThrow(/bad\.yaml.*shred/s);
    await expect(sanitizeCommand(["--config", join(dir, "missing.yaml")], io({ stdin: "" }))).rejects.toThrow(
      /--config .*missing\.yaml: cannot read it \(ENOENT\)/,
    );
    await expect(sanitizeCommand(["--in", join(dir, "missing.jsonl")], io())).rejects.toThrow(/--in .*missing\.jsonl: cannot read it \(ENOENT\)/);
  });

  it("a config that pseudonymizes needs LOGEXPORT_HMAC_KEY, and with it pseudonyms are stable", async () => {
    const config = await file("pseudo.json", JSON.stringify({ version: 1, fieldRules: [{ path: "user_id", action: "pseudonymize" }] }));
    const input = `${JSON.stringify({ user_id: "user-42" })}\n${JSON.stringify({ user_id: "user-42" })}\n`;
    await expect(sanitizeCommand(["--config", config], io({ stdin: input }))).rejects.toThrow(/LOGEXPORT_HMAC_KEY/);
    const cli = io({ stdin: input, env: { LOGEXPORT_HMAC_KEY: KEY } });
    expect(await sanitizeCommand(["--config", config], cli)).toBe(0);
    const [a, b] = cli
      .out()
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { user_id: string }).user_id);
    expect(a).not.toBe("user-42");
    expect(a).toBe(b);
  });
});

describe("logexport analyze-schema", () => {
  it("lists field paths with types, fill rates, configured rules and detector hits", async () => {
    const sample = await file("schema.jsonl", `${[...corpusLines(300)].join("\n")}\n${SAMPLE}\n`);
    const config = await file("schema-config.json", JSON.stringify({ version: 1, fieldRules: [{ path: "user_id", action: "pseudonymize" }] }));
    const cli = io();
    expect(await analyzeSchemaCommand([sample, "--json", "--limit", "302", "--config", config], cli)).toBe(0);
    const report = JSON.parse(cli.out()) as {
      lines: number;
      records: number;
      notJson: number;
      fields: { path: string; types: string[]; fillPercent: number; rules: string[]; detected: Record<string, number> }[];
    };
    expect(report).toMatchObject({ lines: 302, records: 302, notJson: 0 });
    const paths = report.fields.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual(expect.arrayContaining(["http.client_ip", "kubernetes.labels.app", "nested[].note", "user_id", "message", "log"]));
    const field = (path: string) => report.fields.find((f) => f.path === path);
    expect(field("kubernetes.pod")).toMatchObject({ types: ["string"], rules: [], detected: {} });
    expect(field("kubernetes.pod")?.fillPercent).toBeCloseTo((100 * 300) / 302, 9);
    expect(field("nested")?.types).toEqual(["array"]);
    expect(field("user_id")?.rules.length).toBeGreaterThan(0);
    expect(Object.keys(field("http.client_ip")?.detected ?? {})).toContain("ipv4");
    expect(Object.keys(field("message")?.detected ?? {})).toEqual(expect.arrayContaining(["email", "card"]));
    expect(field("nested[].note")?.detected).toMatchObject({ "aws-access-key-id": 1 });

    const text = io();
    expect(await analyzeSchemaCommand(["--limit", "5", sample], text)).toBe(0);
    expect(text.out()).toMatch(/^5 lines of .*schema\.jsonl: 5 JSON objects, 0 other lines/);
    expect(text.out()).toMatch(/field\s+types\s+fill %\s+rules\s+detected/);
    expectClean(text.out());
    await expect(analyzeSchemaCommand(["--json"], io())).rejects.toThrow(/needs a JSON Lines file/);
  });
});
