/**
 * Seed 002's last steps before upload: `sanitize --verify` re-scans sanitized output (our own markers, masks and
 * pseudonyms never count), and `analyze-schema` checks required-field presence and tells sanitized values from
 * detections; both can work on a random sample.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpusLines } from "../../bench/sanitize-corpus.js";
import { analyzeSchemaCommand } from "../../cli/commands/analyze-schema.js";
import { sanitizeCommand } from "../../cli/commands/sanitize.js";
import { capturedIO } from "../helpers/cli-io.js";

const KEY = Buffer.alloc(32, 7).toString("base64");
const PLANTED = { email: "leftover.person@example.org", ipv4: "203.0.113.77", awsKeyId: "AKIAQ7ZK2M4N6P3R5T7V" };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "logexport-cli-verify-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** Sanitizes `raw` into a file with the given config (the built-in rules when undefined) and returns the output path. */
async function sanitized(name: string, raw: string, config?: object): Promise<string> {
  const input = await file(`${name}.raw.jsonl`, raw);
  const out = join(dir, `${name}.jsonl`);
  const argv = ["--in", input, "--out", out, ...(config === undefined ? [] : ["--config", await file(`${name}.config.json`, JSON.stringify(config))])];
  expect(await sanitizeCommand(argv, capturedIO({ env: { LOGEXPORT_HMAC_KEY: KEY } }))).toBe(0);
  return out;
}

async function verify(path: string, ...flags: string[]) {
  const cli = capturedIO({ env: { LOGEXPORT_HMAC_KEY: KEY } });
  const code = await sanitizeCommand(["--verify", path, ...flags], cli);
  return { code, out: cli.out() };
}

describe("logexport sanitize --verify", () => {
  const raw = `${[...corpusLines(300)].join("\n")}\n`;

  it("passes on sanitized output, with masks (the default) or with pseudonyms, and fails on the raw input", async () => {
    const masked = await verify(await sanitized("masked", raw));
    expect(masked).toEqual({ code: 0, out: expect.stringMatching(/^verified 300 lines of .*masked\.jsonl: no rule fires\n$/) });
    const pseudonymized = await sanitized("pseudonymized", raw, {
      version: 1,
      detectors: { email: "pseudonymize", ip: "pseudonymize", card: "pseudonymize" },
      fieldRules: [{ path: "user_id", action: "pseudonymize" }],
    });
    expect(await readFile(pseudonymized, "utf8")).toMatch(/"user_id": ?"pseu_[0-9a-f]{16}"/);
    expect(await verify(pseudonymized)).toMatchObject({ code: 0 });
    const unsanitized = await verify(await file("raw.jsonl", raw));
    expect(unsanitized.code).toBe(1);
    expect(unsanitized.out).toMatch(/^NOT CLEAN: .*\bemail\b.*\bipv4\b.* in 300 lines/);
  });

  it("names each planted leftover's rule and lines, never its value", async () => {
    const lines = (await readFile(await sanitized("planted", raw), "utf8")).trimEnd().split("\n");
    lines.splice(9, 0, JSON.stringify({ message: `contact ${PLANTED.email}`, level: "info" }));
    lines.splice(99, 0, JSON.stringify({ http: { client_ip: PLANTED.ipv4 }, note: `key ${PLANTED.awsKeyId}` }));
    lines.push(`plain text line from ${PLANTED.ipv4}`);
    const { code, out } = await verify(await file("planted-leftovers.jsonl", `${lines.join("\n")}\n`));
    expect(code).toBe(1);
    expect(out).toMatch(/^NOT CLEAN: aws-access-key-id, email, ipv4 still fire in 303 lines/);
    expect(out).toMatch(/^email +1 +10$/m);
    expect(out).toMatch(/^ipv4 +2 +100, 303$/m);
    expect(out).toMatch(/^aws-access-key-id +1 +100$/m);
    for (const value of Object.values(PLANTED)) expect(out).not.toContain(value);
  });

  it("--sample checks that many lines of the file, chosen at random", async () => {
    const path = await file("sample-raw.jsonl", raw);
    const { code, out } = await verify(path, "--sample", "25");
    expect(code).toBe(1);
    expect(out).toMatch(/in 25 sampled lines of /);
    await expect(sanitizeCommand(["--in", path, "--out", join(dir, "x.jsonl"), "--sample", "5"], capturedIO())).rejects.toThrow(/--sample applies to --verify/);
  });
});

describe("logexport analyze-schema: required fields and sanitized values", () => {
  /** 200 records: every one with timestamp and message, `service` in 90 % of them. */
  const records = Array.from({ length: 200 }, (_, i) =>
    JSON.stringify({
      timestamp: new Date(Date.UTC(2024, 11, 15) + i * 1000).toISOString(),
      ...(i % 10 === 0 ? {} : { service: "payment-service" }),
      message: `request ${i} from 198.51.100.${i % 250} by ops${i}@example.com`,
      http: { client_ip: `192.0.2.${i % 250}` },
    }),
  );

  it("reports service below the 95 % threshold, and passes at a 90 % threshold", async () => {
    const path = await file("required.jsonl", `${records.join("\n")}\n`);
    const cli = capturedIO();
    expect(await analyzeSchemaCommand([path, "--json"], cli)).toBe(0);
    const report = JSON.parse(cli.out()) as { minPresencePercent: number; required: { path: string; presentPercent: number; ok: boolean }[] };
    expect(report.minPresencePercent).toBe(95);
    expect(report.required).toEqual([
      { path: "timestamp", presentPercent: 100, ok: true },
      { path: "service", presentPercent: 90, ok: false },
      { path: "message", presentPercent: 100, ok: true },
    ]);
    const text = capturedIO();
    expect(await analyzeSchemaCommand([path], text)).toBe(0);
    expect(text.out()).toMatch(/required fields \(present in ≥ 95 % of records\): timestamp 100 %, service 90 %, message 100 %\nbelow 95 %: service\n$/);
    const lenient = capturedIO();
    expect(await analyzeSchemaCommand([path, "--min-presence", "90", "--required", "service,http.client_ip"], lenient)).toBe(0);
    expect(lenient.out()).toMatch(/service 90 %, http\.client_ip 100 %\nall required fields present\n$/);
  });

  it("counts our markers and masks as sanitized, not detected; --sample reads that many lines", async () => {
    const path = await sanitized("schema-sanitized", `${records.join("\n")}\n`);
    const cli = capturedIO();
    expect(await analyzeSchemaCommand([path, "--json", "--sample", "50"], cli)).toBe(0);
    const report = JSON.parse(cli.out()) as {
      lines: number;
      sampled: boolean;
      fields: { path: string; detected: Record<string, number>; sanitized: number }[];
    };
    expect(report).toMatchObject({ lines: 50, sampled: true });
    const field = (path: string) => report.fields.find((f) => f.path === path);
    expect(field("http.client_ip")).toMatchObject({ detected: {}, sanitized: 50 });
    expect(field("message")).toMatchObject({ detected: {}, sanitized: 50 });

    const raw = capturedIO();
    expect(await analyzeSchemaCommand([await file("schema-raw.jsonl", `${records.join("\n")}\n`), "--json"], raw)).toBe(0);
    const before = (JSON.parse(raw.out()) as typeof report).fields;
    expect(before.find((f) => f.path === "http.client_ip")).toMatchObject({ detected: { ipv4: 200 }, sanitized: 0 });
    expect(before.find((f) => f.path === "message")?.detected).toEqual({ email: 200, ipv4: 200 });
  });
});
