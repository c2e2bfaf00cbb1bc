import { Random } from "../../bench/sanitize-corpus.js";

/**
 * Harmless values that look like secrets (issue 23): git SHAs, UUIDs, trace and span ids, base64 of words,
 * image digests, ETags, pod names, ULIDs, versions, ARNs without keys, object keys. Generated at test time;
 * each with the neutral key it would be logged under.
 */

const HEX = "0123456789abcdef";
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
const WORDS = ["deploy", "finished", "the", "quick", "brown", "fox", "order", "shipped", "cache", "warmed", "report", "ready", "invoice", "archived"] as const;

export interface LookAlike {
  readonly kind: string;
  readonly key: string;
  readonly value: string;
}

const uuid = (r: Random) => `${r.chars(HEX, 8)}-${r.chars(HEX, 4)}-4${r.chars(HEX, 3)}-${r.pick(["8", "9", "a", "b"])}${r.chars(HEX, 3)}-${r.chars(HEX, 12)}`;
const sentence = (r: Random, words: number) => Array.from({ length: words }, () => r.pick(WORDS)).join(" ");

const MAKERS: readonly (readonly [string, string, (r: Random) => string])[] = [
  ["git SHA", "commit", (r) => r.chars(HEX, 40)],
  ["short git SHA", "rev", (r) => r.chars(HEX, 7 + r.int(6))],
  ["UUID", "request_id", uuid],
  ["trace id", "trace_id", (r) => r.chars(HEX, 32)],
  ["span id", "span_id", (r) => r.chars(HEX, 16)],
  ["traceparent", "traceparent", (r) => `00-${r.chars(HEX, 32)}-${r.chars(HEX, 16)}-01`],
  ["base64 of words", "payload", (r) => Buffer.from(sentence(r, 3 + r.int(6))).toString("base64")],
  ["image digest", "image", (r) => `registry.example.com/shop/${r.pick(WORDS)}@sha256:${r.chars(HEX, 64)}`],
  ["ETag", "etag", (r) => `"${r.chars(HEX, 32)}"`],
  ["weak ETag", "etag", (r) => `W/"${r.chars(HEX, 8)}-${r.chars(HEX, 12)}"`],
  ["pod name", "pod", (r) => `${r.pick(WORDS)}-${r.chars(HEX, 9)}-${r.chars(LOWER, 5)}`],
  ["ULID", "event_id", (r) => `01${r.chars(CROCKFORD, 24)}`],
  ["version", "version", (r) => `v${r.int(20)}.${r.int(50)}.${r.int(100)}-rc.${r.int(9)}+build.${r.chars(HEX, 7)}`],
  ["ARN", "role", (r) => `arn:aws:iam::${String(100_000_000_000 + r.int(899_999_999_999))}:role/${r.pick(WORDS)}-${r.pick(WORDS)}`],
  ["object key", "object", (r) => `logs/2026/11/${10 + r.int(18)}/part-${String(r.int(99_999)).padStart(5, "0")}-${r.chars(HEX, 8)}.parquet`],
  ["checksum", "sha256", (r) => r.chars(HEX, 64)],
  ["Go module hash", "sum", (r) => `h1:${Buffer.from(r.chars(HEX, 32), "hex").toString("base64")}`],
];

/** `perKind` look-alikes of every kind, the same on every call with the same seed. */
export function lookAlikes(perKind: number, seed = 23): LookAlike[] {
  const r = new Random(seed);
  return MAKERS.flatMap(([kind, key, make]) => Array.from({ length: perKind }, () => ({ kind, key, value: make(r) })));
}

export const LOOK_ALIKE_CONTEXTS = ["message value", "inside a sentence", "under its key", "embedded JSON string", "URL query parameter"] as const;

/** A JSON log line with the look-alike in one context. */
export function plantLookAlike(item: LookAlike, context: (typeof LOOK_ALIKE_CONTEXTS)[number]): string {
  const base = { level: "info", ts: "2026-11-20T10:00:00Z" };
  switch (context) {
    case "message value":
      return JSON.stringify({ ...base, message: item.value });
    case "inside a sentence":
      return JSON.stringify({ ...base, message: `build of ${item.value} finished in 42 s` });
    case "under its key":
      return JSON.stringify({ ...base, [item.key]: item.value });
    case "embedded JSON string":
      return JSON.stringify({ ...base, log: JSON.stringify({ level: "debug", [item.key]: item.value }) });
    case "URL query parameter":
      return JSON.stringify({ ...base, url: `https://shop.example.com/v1/items?${item.key}=${encodeURIComponent(item.value)}&page=2` });
  }
}
