// The Node floor for the sanitizer figures: read, JSON.parse, JSON.stringify and write each line, no rules, one thread.
// Usage: node --import tsx bench/sanitize-floor.ts IN OUT (npm run bench -- sanitize runs it compiled)
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";

const [inPath, outPath] = process.argv.slice(2);
if (inPath === undefined || outPath === undefined) throw new Error("usage: sanitize-floor.ts IN OUT");

const output = createWriteStream(outPath);
const decoder = new StringDecoder("utf8");
let carry = "";
for await (const chunk of createReadStream(inPath, { highWaterMark: 1 << 20 })) {
  const lines = (carry + decoder.write(chunk as Buffer)).split("\n");
  carry = lines.pop() ?? "";
  if (lines.length === 0) continue;
  const out = lines.map((line) => JSON.stringify(JSON.parse(line))).join("\n");
  if (!output.write(`${out}\n`)) await once(output, "drain");
}
if (carry !== "") output.write(`${JSON.stringify(JSON.parse(carry))}\n`);
output.end();
await finished(output);
