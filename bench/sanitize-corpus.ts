import { open } from "node:fs/promises";
import { luhnCheckDigit } from "../test/helpers/luhn.js";

const START_MS = Date.UTC(2026, 10, 20);
const NAMESPACES = ["shop", "payments", "identity", "search", "ingest", "kube-system"] as const;
const APPS = ["checkout", "cart", "auth", "catalog", "gateway", "billing", "indexer"] as const;
const TIERS = ["web", "api", "db"] as const;
const METHODS = ["GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"] as const;
const ROUTES = ["/api/v1/orders", "/api/v1/cart/items", "/api/v2/catalog/products", "/healthz", "/api/v1/sessions", "/api/v1/payments"] as const;
const AGENTS = ["pip/24.3.1 CPython/3.11.7", "Mozilla/5.0 Firefox/132.0", "curl/8.5.0", "kube-probe/1.31", "okhttp/4.12.0", "Go-http-client/2.0"] as const;
const DOMAINS = ["example.com", "mail.example.co.uk", "corp.example.org", "example.net"] as const;
const NAMES = ["jane.doe", "o'neil", "li.wei+promo", "a.kowalski", "sam_99", "maria-luisa"] as const;
const HEX = "0123456789abcdef";
const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const JWT_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");

/** mulberry32: tiny, fast and deterministic, so every run benchmarks the same bytes. */
export class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chars(alphabet: string, length: number): string {
    let out = "";
    for (let i = 0; i < length; i += 1) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

export function cardNumber(r: Random, valid: boolean): string {
  const body = `4${r.chars("0123456789", 14)}`;
  const check = luhnCheckDigit(body);
  return `${body}${valid ? check : (check + 1 + r.int(9)) % 10}`;
}

export function formattedCard(r: Random): string {
  const digits = cardNumber(r, true);
  const separator = r.pick(["", " ", "-"]);
  return [digits.slice(0, 4), digits.slice(4, 8), digits.slice(8, 12), digits.slice(12)].join(separator);
}

export function uuid(r: Random): string {
  return `${r.chars(HEX, 8)}-${r.chars(HEX, 4)}-4${r.chars(HEX, 3)}-${r.pick(["8", "9", "a", "b"])}${r.chars(HEX, 3)}-${r.chars(HEX, 12)}`;
}

export function email(r: Random): string {
  return `${r.pick(NAMES)}${r.int(100)}@${r.pick(DOMAINS)}`;
}

export function ipv4(r: Random): string {
  return `${r.pick([10, 172, 192, 52, 81])}.${r.int(256)}.${r.int(256)}.${1 + r.int(254)}`;
}

function ipv6(r: Random): string {
  return `2001:db8:${r.chars(HEX, 4)}:${r.int(65536).toString(16)}::${r.chars(HEX, 3)}`;
}

export function jwt(r: Random, index: number): string {
  const payload = Buffer.from(`{"sub":"user-${index % 50_000}","exp":${1_795_000_000 + index}}`).toString("base64url");
  return `${JWT_HEADER}.${payload}.${r.chars(BASE64URL, 43)}`;
}

function awsKeys(r: Random): string {
  return `aws_access_key_id=AKIA${r.chars(BASE32, 16)} aws_secret_access_key=${r.chars(BASE64, 40)}`;
}

function accessMessage(r: Random, method: string, status: number, latency: number, index: number): string {
  const roll = r.int(1000);
  if (roll < 30) return `password reset link sent to ${email(r)}`;
  if (roll < 50) return `payment declined for card ${formattedCard(r)} (insufficient funds)`;
  if (roll < 70) return `order ${cardNumber(r, false)} shipped from warehouse ${r.int(40)}`;
  if (roll < 80) return `s3 upload retried with ${awsKeys(r)}`;
  if (roll < 90) return `upstream ${ipv6(r)} refused connection after ${latency}ms`;
  if (roll < 100) return `token refresh failed for ${jwt(r, index)}`;
  if (roll < 130) return `client upgraded to pip/24.3.1 at 2026-11-20T10:${String(r.int(60)).padStart(2, "0")}:00Z, build 1.2.3.4567`;
  return `${method} ${status} ${latency}ms`;
}

function authorization(r: Random, index: number): string | undefined {
  const roll = r.int(100);
  if (roll < 3) return `Bearer ${jwt(r, index)}`;
  if (roll < 4) return `Basic ${Buffer.from(`svc-${r.chars(ALNUM, 6)}:${r.chars(ALNUM, 12)}`).toString("base64")}`;
  if (roll < 5) return `token ghp_${r.chars(ALNUM, 36)}`;
  return undefined;
}

function embeddedLog(r: Random): string {
  const roll = r.int(100);
  const context =
    roll < 5
      ? { user: email(r) }
      : roll < 8
        ? { db: `postgres://orders:${r.chars(ALNUM, 14)}@db-${r.int(3)}.internal:5432/orders` }
        : roll < 10
          ? { credentials: awsKeys(r) }
          : { retry: r.int(5), upstream: `${r.pick(APPS)}.${r.pick(NAMESPACES)}.svc:8080` };
  return JSON.stringify({ level: r.pick(["warn", "error", "debug"]), msg: `batch ${r.int(10_000)} done`, context });
}

/** One line of a Kubernetes-style log: mostly HTTP access lines, some with a `log` field holding embedded JSON; a few % carry PII or secrets, others look like them but are not. */
function corpusLine(r: Random, index: number): string {
  const app = r.pick(APPS);
  const namespace = r.pick(NAMESPACES);
  const kubernetes = {
    pod: `${app}-${r.chars(HEX, 9)}-${r.chars(ALNUM, 5)}`,
    namespace,
    container: app,
    labels: { app, tier: r.pick(TIERS) },
  };
  const timestamp = new Date(START_MS + index * 170 + r.int(170)).toISOString();
  const userId = r.int(10) < 6 ? { user_id: `user-${r.int(50_000)}` } : {};
  if (r.int(100) < 15) {
    return JSON.stringify({ timestamp, level: "warn", kubernetes, log: embeddedLog(r), ...userId });
  }
  const method = r.pick(METHODS);
  const path = `${r.pick(ROUTES)}/${r.int(100) < 30 ? uuid(r) : r.int(100_000)}`;
  const status = r.int(100) < 92 ? 200 : r.pick([201, 404, 500, 503]);
  const latency = Math.round(r.next() * 5_000) / 10;
  const auth = authorization(r, index);
  const headers = { "user-agent": r.pick(AGENTS), ...(auth === undefined ? {} : { authorization: auth }) };
  const http = { method, path, status, latency_ms: latency, client_ip: ipv4(r), headers };
  return JSON.stringify({
    timestamp,
    level: status >= 500 ? "error" : "info",
    kubernetes,
    http,
    message: accessMessage(r, method, status, latency, index),
    ...userId,
  });
}

/** The same `count` lines on every call with the same seed; a shorter corpus is a prefix of a longer one. */
export function* corpusLines(count: number, seed = 4): Generator<string> {
  const r = new Random(seed);
  for (let i = 0; i < count; i += 1) yield corpusLine(r, i);
}

/** Writes the first `lines` lines of a corpus (the Kubernetes-style one by default) to `path`; returns the bytes written. */
export async function writeSanitizeCorpus(path: string, lines: number, generate: (count: number) => Iterable<string> = corpusLines): Promise<number> {
  const file = await open(path, "w");
  let bytes = 0;
  let chunk: string[] = [];
  let chunkLength = 0;
  const flush = async () => {
    const data = Buffer.from(`${chunk.join("\n")}\n`);
    await file.writeFile(data);
    bytes += data.length;
    chunk = [];
    chunkLength = 0;
  };
  try {
    for (const line of generate(lines)) {
      chunk.push(line);
      chunkLength += line.length + 1;
      if (chunkLength >= 1 << 20) await flush();
    }
    if (chunk.length > 0) await flush();
  } finally {
    await file.close();
  }
  return bytes;
}
