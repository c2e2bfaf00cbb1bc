import { describe, expect, it } from "vitest";
import { scrub, sanitizer } from "./helpers.js";

describe("email detector", () => {
  it.each([
    ["contact bob@example.com now", "contact [REDACTED:email] now"],
    ["li.wei+promo@mail.example.co.uk", "[REDACTED:email]"],
    ["o'brien@x.com wrote", "[REDACTED:email] wrote"],
    ["quoted 'jane.doe@corp.example.org'", "quoted '[REDACTED:email]'"],
    ["<sam_99@example.net>", "<[REDACTED:email]>"],
    ["two: a@b.io, c@d.io.", "two: [REDACTED:email], [REDACTED:email]."],
  ])("redacts %j", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each(["user@localhost", "@handle on social", "a@b", "npm install @scope/pkg", "x@1.2"])("leaves %j alone", (input) => {
    expect(scrub(input)).toBe(input);
  });
});

describe("card detector", () => {
  it.each([
    ["pay 4111 1111 1111 1111 ok", "pay [REDACTED:card] ok"],
    ["4111-1111-1111-1111", "[REDACTED:card]"],
    ["card=5555555555554444;", "card=[REDACTED:card];"],
    ["amex 378282246310005", "amex [REDACTED:card]"],
    ["visa13 4222222222222", "visa13 [REDACTED:card]"],
  ])("redacts Luhn-valid %j", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each([
    "order 4111 1111 1111 1112 shipped",
    "order 1234-5678-9012-3456",
    "epoch ms 1734272625123",
    "trace 17342726251234567890123",
    "latency 0.4111111111111111",
    "id x4111111111111111",
    "uuid 4111-1111-1111-1111-111111111111",
  ])("leaves %j alone", (input) => {
    expect(scrub(input)).toBe(input);
  });

  it("masks to the last four digits when asked, keeping separators", () => {
    expect(sanitizer({ detectors: { card: "mask" } }).sanitizeText("4111-1111-1111-1111")).toBe("****-****-****-1111");
  });
});

describe("IP detectors", () => {
  it.each([
    ["from 10.20.30.40 port", "from 10.20.0.0/16 port"],
    ["10.1.2.3:8080", "10.1.0.0/16:8080"],
    ["http://192.168.1.20/health", "http://192.168.0.0/16/health"],
    ["net 172.16.5.0/24", "net 172.16.0.0/16"],
    ["peer=8.8.8.8.", "peer=8.8.0.0/16."],
  ])("masks IPv4 %j to /16", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each([
    "pip/24.3.1 CPython/3.12",
    "Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36",
    "at 10:00:00.123 and 2024-12-15T14:23:45.123Z",
    "oid 1.2.3.4.5",
    "version v1.2.3.4",
    "build 1.2.3.4567",
    "999.1.1.1",
    "550e8400-e29b-41d4-a716-446655440000",
    "mac 00:1a:2b:3c:4d:5e",
    "std::vector and Foo::Bar",
    "12:34:56:78",
  ])("leaves %j alone", (input) => {
    expect(scrub(input)).toBe(input);
  });

  it.each([
    ["::1", "::/48"],
    ["from ::1: refused", "from ::/48: refused"],
    ["2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::/48"],
    ["[2001:0db8:0000:0042:0000:8a2e:0370:7334]:443", "[2001:db8::/48]:443"],
    ["fe80::1%eth0", "fe80::/48%eth0"],
    ["::ffff:10.1.2.3 mapped", "::/48 mapped"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"],
  ])("masks IPv6 %j to /48", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it("removes or turns off per config, per family or per rule", () => {
    expect(sanitizer({ detectors: { ip: "remove" } }).sanitizeText("a 10.1.2.3 b ::1")).toBe("a [REDACTED:ipv4] b [REDACTED:ipv6]");
    expect(sanitizer({ detectors: { ip: "off" } }).sanitizeText("a 10.1.2.3 b ::1")).toBe("a 10.1.2.3 b ::1");
    expect(sanitizer({ detectors: { ip: "mask", ipv6: "off" } }).sanitizeText("a 10.1.2.3 b ::1")).toBe("a 10.1.0.0/16 b ::1");
  });
});

describe("credential detectors", () => {
  it.each([
    ["Authorization: Bearer abc.def-ghi", "Authorization: Bearer [REDACTED:bearer-token]"],
    ["proxy-authorization: Basic dXNlcjpwYXNz", "proxy-authorization: Basic [REDACTED:basic-auth]"],
    ["authorization=SharedKey acct:c2ln", "authorization=SharedKey [REDACTED:authorization]"],
    ["sent bearer abcdefgh12345678 upstream", "sent bearer [REDACTED:bearer-token] upstream"],
    ["Cookie: session=abc; theme=dark from x", "Cookie: [REDACTED:cookie] from x"],
    ["Set-Cookie: sid=1; Path=/; HttpOnly", "Set-Cookie: [REDACTED:cookie]"],
    ["x-api-key: k-123", "x-api-key: [REDACTED:api-key]"],
    ["Ocp-Apim-Subscription-Key: 0123abcd", "Ocp-Apim-Subscription-Key: [REDACTED:api-key]"],
    ["x-functions-key=abc", "x-functions-key=[REDACTED:api-key]"],
    ["login password=hunter2 ok", "login password=[REDACTED:password] ok"],
    ["db_password: 's3cret pass'", "db_password: '[REDACTED:password]'"],
    ['{"client_secret":"xyz"} trailing', '{"client_secret":"[REDACTED:secret]"} trailing'],
    ['escaped {\\"password\\":\\"hunter2\\"}', 'escaped {\\"password\\":\\"[REDACTED:password]\\"}'],
    ["refresh_token=abc&x=1", "refresh_token=[REDACTED:token]&x=1"],
    ["Pwd=abc;", "Pwd=[REDACTED:password];"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end", "jwt [REDACTED:jwt] end"],
    ["key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED:aws-access-key-id] used"],
    ["aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key=[REDACTED:aws-secret-access-key]"],
    [
      "https://acct.blob.core.windows.net/c/b?sv=2021&sig=abc%2Bdef%3D&se=1",
      "https://acct.blob.core.windows.net/c/b?sv=2021&sig=[REDACTED:azure-sas-signature]&se=1",
    ],
    ["AccountKey=abc+def/ghi==", "AccountKey=[REDACTED:azure-account-key]"],
    ["DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;EndpointSuffix=core.windows.net", "[REDACTED:connection-string]"],
    ["postgres://admin:p@ss@db:5432/x", "postgres://admin:[REDACTED:url-credentials]@db:5432/x"],
    [
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
      "-----BEGIN RSA PRIVATE KEY-----[REDACTED:private-key]-----END RSA PRIVATE KEY-----",
    ],
    [`gh ghp_${"a".repeat(36)}`, "gh [REDACTED:github-token]"],
    [`slack xoxb-1234567890-abcdefghij`, "slack [REDACTED:slack-token]"],
    [`stripe sk_live_${"a".repeat(24)}`, "stripe [REDACTED:stripe-key]"],
    [`google AIza${"B".repeat(35)}`, "google [REDACTED:google-api-key]"],
    [`npm npm_${"c".repeat(36)}`, "npm [REDACTED:npm-token]"],
  ])("redacts only the secret in %j", (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it.each([
    "tokens=5 max_tokens: 200",
    "monkey: banana",
    "the basic plan",
    "token_type=Bearer",
    "design: signature pending",
    "password reset link sent",
    "https://example.com/path?q=1",
    "Server=db;Database=orders;",
    "-----BEGIN CERTIFICATE-----",
  ])("leaves %j alone", (input) => {
    expect(scrub(input)).toBe(input);
  });

  it("redacts values of credential-named JSON keys at any depth, keeping an Authorization scheme", () => {
    const s = sanitizer();
    const out = s.sanitize({
      http: { headers: { Authorization: "Bearer abc", "X-Api-Key": "k", cookie: ["a=1", "b=2"] } },
      user: { password: 1234, secret: true, token_count: 3 },
    });
    expect(out).toEqual({
      http: {
        headers: { Authorization: "Bearer [REDACTED:bearer-token]", "X-Api-Key": "[REDACTED:api-key]", cookie: ["[REDACTED:cookie]", "[REDACTED:cookie]"] },
      },
      user: { password: "[REDACTED:password]", secret: true, token_count: 3 },
    });
    expect(s.counts()).toEqual({ "api-key": 1, "bearer-token": 1, cookie: 2, password: 1 });
  });

  it("turns single credential rules off", () => {
    const s = sanitizer({ detectors: { credentials: "redact", jwt: "off" } });
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln";
    expect(s.sanitizeText(`t ${jwt} password=x`)).toBe(`t ${jwt} password=[REDACTED:password]`);
  });
});
