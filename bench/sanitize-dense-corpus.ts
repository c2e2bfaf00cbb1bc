import { email, formattedCard, ipv4, Random } from "./sanitize-corpus.js";

const START_MS = Date.UTC(2026, 10, 20);
const SERVICES = ["checkout", "cart", "auth", "catalog", "gateway", "billing"] as const;
const METHODS = ["GET", "GET", "GET", "POST", "PUT"] as const;
const ROUTES = ["/api/v1/orders", "/api/v1/cart/items", "/api/v2/catalog/products", "/api/v1/payments"] as const;
const AGENTS = ["pip/24.3.1 CPython/3.11.7", "Mozilla/5.0 Firefox/132.0", "okhttp/4.12.0", "Go-http-client/2.0"] as const;
const TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * One line of the dense corpus (issue 15): every line carries a client IPv4, a bearer token in a nested
 * `headers` object and a user id; about a third carry an e-mail address and a card number in the message.
 */
function denseLine(r: Random, index: number): string {
  const timestamp = new Date(START_MS + index * 7 + r.int(7)).toISOString();
  const method = r.pick(METHODS);
  const status = r.int(100) < 90 ? 200 : r.pick([201, 402, 404, 500]);
  const headers = { authorization: `Bearer ${r.chars(TOKEN, 40)}`, "user-agent": r.pick(AGENTS) };
  const http = { method, path: `${r.pick(ROUTES)}/${r.int(1_000_000)}`, status, client_ip: ipv4(r), headers };
  const message =
    r.int(3) === 0
      ? `payment by ${email(r)} with card ${formattedCard(r)} ${status === 200 ? "accepted" : "declined"}`
      : `${method} ${http.path} ${status} in ${r.int(900)} ms`;
  return JSON.stringify({ timestamp, level: status >= 500 ? "error" : "info", service: r.pick(SERVICES), user_id: `u-${r.int(200_000)}`, http, message });
}

/** The same `count` dense lines on every call with the same seed. */
export function* denseCorpusLines(count: number, seed = 15): Generator<string> {
  const r = new Random(seed);
  for (let i = 0; i < count; i += 1) yield denseLine(r, i);
}
