import { cardNumber, email, ipv4, Random } from "../../bench/sanitize-corpus.js";
import type { Sample } from "./secret-samples.js";

/**
 * Samples of every kind our own detectors and issue 15's leaks name, generated at test time (fake values of
 * the real formats), as `Sample`s to plant in the five contexts of secret-samples.ts. Kinds whose secret
 * sits in a structure (under a credential key, a name/value pair, a user field) are whole lines instead.
 */

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";
const BASE64 = `${ALNUM}+/`;
const pemArmor = (edge: "BEGIN" | "END") => `${"-".repeat(5)}${edge} ${["PRIVATE", "KEY"].join(" ")}${"-".repeat(5)}`;

const group = (digits: string, separator: string) => [0, 4, 8, 12].map((at) => digits.slice(at, at + 4)).join(separator);

type Maker = (r: Random) => { readonly text: string; readonly secret: string };

const MAKERS: Readonly<Record<string, Maker>> = {
  email: (r) => {
    const address = email(r);
    return { text: address, secret: address };
  },
  "email (IDN)": (r) => {
    const address = `${r.pick(["jörg", "zoë", "иван", "用户"])}${r.int(100)}@${r.pick(["müller.de", "пример.рф", "例子.广告"])}`;
    return { text: address, secret: address };
  },
  card: (r) => {
    const card = group(cardNumber(r, true), r.pick(["", " ", "-", "\u00a0"]));
    return { text: card, secret: card };
  },
  "card next to digits": (r) => {
    const card = cardNumber(r, true);
    return { text: r.pick([`${card} 12/25`, `+1 ${card}`, `${group(card, " ")} ${r.int(999)}`]), secret: card.slice(0, 12) };
  },
  ipv4: (r) => {
    const ip = ipv4(r);
    return { text: ip, secret: ip };
  },
  ipv6: (r) => {
    const ip = `2001:db8:${r.chars(HEX, 4)}:${r.chars(HEX, 4)}:${r.chars(HEX, 4)}:${r.chars(HEX, 4)}:${r.chars(HEX, 4)}:${r.chars(HEX, 4)}`;
    return { text: ip, secret: ip };
  },
  "bearer token": (r) => {
    const token = r.chars(ALNUM, 32);
    return { text: `Authorization: Bearer ${token}`, secret: token };
  },
  "basic credentials": (r) => {
    const token = Buffer.from(`svc-${r.chars(ALNUM, 6)}:${r.chars(ALNUM, 14)}`).toString("base64");
    return { text: `Basic ${token}`, secret: token };
  },
  "key=value password": (r) => {
    const value = r.chars(ALNUM, 16);
    const key = r.pick(["password", "db_pass", "pw", "pin", "otp", "passcode", "password1", "client_secret", "X-Api-Key"]);
    return {
      text: r.pick([`${key}=${value}`, `${key}: ${value}`, `${key} := "${value}"`, `"${key}" => "${value}"`, `set("${key}", "${value}")`, `--${key} ${value}`]),
      secret: value,
    };
  },
  "URL password": (r) => {
    const password = r.chars(ALNUM, 16);
    return { text: `postgres://app:${password}@db-${r.int(9)}.internal:5432/orders`, secret: password };
  },
  "percent-encoded": (r) => {
    const value = r.chars(ALNUM, 16);
    return r.pick([
      { text: `next=%2Fhome%3Fpassword%3D${value}`, secret: value },
      { text: `h=Authorization%3A%20Bearer%20${value}`, secret: value },
      { text: `to=${encodeURIComponent(email(r))}`, secret: "" },
    ]);
  },
  "PEM private key": (r) => {
    const body = Array.from({ length: 3 }, () => r.chars(BASE64, 64)).join("\n");
    return { text: `${pemArmor("BEGIN")}\n${body}\n${pemArmor("END")}`, secret: body.slice(0, 64) };
  },
  "SAS signature": (r) => {
    const sig = encodeURIComponent(Buffer.from(r.chars(ALNUM, 32)).toString("base64"));
    return { text: `https://acct${r.int(99)}.blob.core.windows.net/logs/a.log?sv=2022-11-02&sp=r&sig=${sig}`, secret: sig };
  },
  "connection string": (r) => {
    const key = Buffer.from(r.chars(ALNUM, 48)).toString("base64");
    return { text: `DefaultEndpointsProtocol=https;AccountName=acct${r.int(99)};AccountKey=${key};EndpointSuffix=core.windows.net`, secret: key };
  },
};

/** Samples of each kind; an e-mail that is percent-encoded is checked on its decoded form. */
export function plantedKinds(perKind: number, seed = 15): Map<string, Sample[]> {
  const r = new Random(seed);
  const kinds = new Map<string, Sample[]>();
  for (const [kind, make] of Object.entries(MAKERS)) {
    kinds.set(
      kind,
      Array.from({ length: perKind }, () => {
        const made = make(r);
        const secret = made.secret === "" ? decodeURIComponent(made.text.slice(made.text.indexOf("=") + 1)) : made.secret;
        return { rule: kind, text: made.text, secret, key: undefined };
      }),
    );
  }
  return kinds;
}

/** Lines whose secret sits in their structure, with what must not survive of it. */
export function structuredLeaks(perKind: number, seed = 15): Map<string, { line: string; secret: string }[]> {
  const r = new Random(seed);
  const lines = (make: () => { line: string; secret: string }) => Array.from({ length: perKind }, make);
  return new Map([
    [
      "under a credential key",
      lines(() => {
        const secret = r.chars(ALNUM, 20);
        return { line: JSON.stringify({ config: { [r.pick(["password", "credentials", "api_key", "pin"])]: { value: secret, n: 1 } } }), secret };
      }),
    ],
    [
      "header name/value pair",
      lines(() => {
        const secret = r.chars(ALNUM, 24);
        return {
          line: JSON.stringify({
            headers: [
              { name: "Accept", value: "json" },
              { [r.pick(["name", "Name", "key"])]: r.pick(["X-Api-Key", "Authorization", "X-Auth-Token"]), value: secret },
            ],
          }),
          secret,
        };
      }),
    ],
    [
      "user identifier",
      lines(() => {
        const secret = `u-${r.chars(ALNUM, 10)}`;
        return {
          line: JSON.stringify({
            [r.pick(["user_id", "userId", "user", "username", "UserPrincipalName", "upn", "remote_user"])]: secret,
            nested: { user: { id: secret } },
          }),
          secret,
        };
      }),
    ],
  ]);
}
