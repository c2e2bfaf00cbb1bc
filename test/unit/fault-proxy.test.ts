import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { listenOnLoopback, type Listening } from "../helpers/loopback-server.js";

const BODY = "x".repeat(100_000);
let target: Listening;
let proxy: FaultProxy;

beforeAll(async () => {
  target = await listenOnLoopback(
    createServer((req, res) => {
      let received = "";
      req.on("data", (c: Buffer) => (received += c.toString()));
      req.on("end", () =>
        res
          .writeHead(200, {
            "content-type": "text/plain",
            "content-length": String(BODY.length),
            "x-echo": `${req.method} ${req.url} ${received.length} ${req.headers.host}`,
          })
          .end(BODY),
      );
    }),
  );
  proxy = await startFaultProxy(target.url);
});
afterAll(async () => {
  await proxy.close();
  await target.close();
});

describe("the fault proxy", () => {
  it("forwards method, path, body and Host unchanged", async () => {
    const response = await fetch(`${proxy.url}/a/b?c=1`, { method: "PUT", body: "hello" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-echo")).toBe(`PUT /a/b?c=1 5 ${new URL(proxy.url).host}`);
    expect((await response.text()).length).toBe(BODY.length);
  });

  it("answers 429 with Retry-After, and fails the n-th request with a 500", async () => {
    proxy.inject({ match: { path: /^\/throttle/ }, kind: "status", status: 429, retryAfterSeconds: 3 });
    const throttled = await fetch(`${proxy.url}/throttle`);
    expect([throttled.status, throttled.headers.get("retry-after")]).toEqual([429, "3"]);
    expect((await fetch(`${proxy.url}/throttle`)).status).toBe(200);
    proxy.inject({ match: { path: /^\/nth/ }, kind: "status", status: 500, skip: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${proxy.url}/nth`)).status);
    expect(statuses).toEqual([200, 200, 500, 200]);
  });

  it("resets the connection mid-body, or truncates the body under the server's Content-Length", async () => {
    proxy.inject({ match: { path: /^\/reset/ }, kind: "resetMidBody", afterBytes: 1_000 });
    await expect(fetch(`${proxy.url}/reset`).then((r) => r.text())).rejects.toThrow();
    proxy.inject({ match: { path: /^\/truncate/ }, kind: "truncate", afterBytes: 1_000 });
    await expect(fetch(`${proxy.url}/truncate`).then((r) => r.text())).rejects.toThrow();
    expect(proxy.requests.filter((r) => r.fault === "resetMidBody" || r.fault === "truncate").map((r) => r.status)).toEqual([200, 200]);
  });

  it("delays a response past a client's timeout, and hands a request to a hook instead of the server", async () => {
    proxy.inject({ match: { path: /^\/slow/ }, kind: "delay", ms: 2_000 });
    await expect(fetch(`${proxy.url}/slow`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    const seen: string[] = [];
    proxy.inject({ match: { method: "POST", path: /^\/hook/ }, kind: "hook", run: (method, path) => void seen.push(`${method} ${path}`) });
    await expect(fetch(`${proxy.url}/hook`, { method: "POST", body: "{}" })).rejects.toThrow();
    expect(seen).toEqual(["POST /hook"]);
    expect(proxy.pending()).toBe(0);
  });
});
