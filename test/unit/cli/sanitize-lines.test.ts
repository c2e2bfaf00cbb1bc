import { describe, expect, it } from "vitest";
import { sanitizeBatch } from "../../../cli/sanitize/lines.js";
import { createSanitizer } from "../../../cli/sanitize/setup.js";
import { defaultSanitizerConfig } from "../../../shared/sanitize/index.js";

const JSON_LINES = { mode: "json", strict: false } as const;
const sanitizer = createSanitizer({ config: defaultSanitizerConfig() });

function batch(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text));
}

function run(text: string, options: { mode: "json" | "text"; strict: boolean } = JSON_LINES) {
  const input = batch(text);
  const result = sanitizeBatch(sanitizer, input, options);
  return { input, output: result.output, text: Buffer.from(result.output).toString("utf8"), lines: result.lines };
}

describe("sanitizeBatch", () => {
  it("hands back the input bytes themselves when no line changes", () => {
    const { input, output, lines } = run('{"level":"info"}\n\n{"n":1}\n');
    expect(output).toBe(input);
    expect(lines).toBe(3);
  });

  it("copies unchanged lines around changed ones byte for byte", () => {
    const { text, lines } = run('{"a":"x"}\n{"to":"bob@example.com"}\n{"b":"y"}\n{"c":"mail bob@example.com"}\n{"d":"z"}\n');
    expect(text).toBe('{"a":"x"}\n{"to":"[REDACTED:email]"}\n{"b":"y"}\n{"c":"mail [REDACTED:email]"}\n{"d":"z"}\n');
    expect(lines).toBe(5);
  });

  it("ends the last line with a newline, with or without changes", () => {
    expect(run('{"a":"x"}').text).toBe('{"a":"x"}\n');
    expect(run('{"a":"x"}\n{"to":"bob@example.com"}').text).toBe('{"a":"x"}\n{"to":"[REDACTED:email]"}\n');
    expect(run("").lines).toBe(0);
  });

  it("drops the carriage return of JSON lines, changed or not, and keeps it in text mode", () => {
    expect(run('{"a":"x"}\r\n{"to":"bob@example.com"}\r\n').text).toBe('{"a":"x"}\n{"to":"[REDACTED:email]"}\n');
    expect(run("plain\r\nto bob@example.com\r\n", { mode: "text", strict: false }).text).toBe("plain\r\nto [REDACTED:email]\r\n");
  });

  it("gives the same lines for a batch that is not ASCII, and writes them as UTF-8", () => {
    const { text, lines } = run('{"name":"Zoë","to":"bob@example.com"}\n{"note":"naïve 😀"}\n');
    expect(text).toBe('{"name":"Zoë","to":"[REDACTED:email]"}\n{"note":"naïve 😀"}\n');
    expect(lines).toBe(2);
  });

  it("writes replacements that are longer than the whole batch", () => {
    const line = `{"m":"${Array.from({ length: 40 }, (_, i) => `u${i}@example.com`).join(" ")}"}`;
    expect(run(line).text).toBe(`{"m":"${Array.from({ length: 40 }, () => "[REDACTED:email]").join(" ")}"}\n`);
  });

  it("gives every line of a batch of many pieces its own result, lines longer than a piece included", () => {
    const lines = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? `{"to":"u${i}@example.com","n":${i}}` : `{"level":"info","n":${i}}`));
    lines[1500] = `{"blob":"${"a".repeat(100_000)} u@example.com"}`;
    lines[2000] = `{"blob":"${"b".repeat(70_000)}"}`;
    const expected = lines.map((line) => `${createSanitizer({ config: defaultSanitizerConfig() }).sanitizeLine(line)}\n`).join("");
    const { text, lines: count } = run(`${lines.join("\n")}\n`);
    expect(count).toBe(3000);
    expect(text).toBe(expected);
    expect(text).toContain(`${"a".repeat(100_000)} [REDACTED:email]`);
  });

  it("names the line of the batch --strict refuses", () => {
    expect(() => run('{"a":1}\n\nnot json\n', { mode: "json", strict: true })).toThrow(expect.objectContaining({ name: "StrictLineError", lineInBatch: 3 }));
  });
});
