/**
 * A fault-injecting loopback HTTP proxy: it sits between an SDK client and a real server (Azurite,
 * the S3 server, the fake query APIs), forwards every request unchanged (Host included, so signed
 * requests still verify), and, by rule, answers 429/503 with Retry-After, resets the connection in the
 * middle of the response body, truncates the body, delays the response past a client's timeout,
 * fails the n-th request with a 500 (`skip: n - 1`), or hands a request to a hook that decides its
 * fate (the chaos suite kills a worker process when its manifest write arrives).
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./loopback-server.js";

export interface RequestMatch {
  readonly method?: string;
  /** Tested against the path and query string. */
  readonly path?: RegExp;
}

export type ProxyFault = {
  readonly match?: RequestMatch;
  /** How many matching requests the fault takes (default 1); `skip` lets that many through first. */
  readonly times?: number;
  readonly skip?: number;
} & (
  | { readonly kind: "status"; readonly status: 429 | 500 | 502 | 503; readonly retryAfterSeconds?: number }
  /** Forward; stream the response and destroy the socket after this many body bytes. */
  | { readonly kind: "resetMidBody"; readonly afterBytes: number }
  /** Forward; send the headers (with the server's Content-Length) and this many body bytes, then end cleanly and close. */
  | { readonly kind: "truncate"; readonly afterBytes: number }
  /** Forward after holding the request this long (a slow server). */
  | { readonly kind: "delay"; readonly ms: number }
  /** The request goes to `run` and is never forwarded: the connection is destroyed once `run` returns. */
  | { readonly kind: "hook"; readonly run: (method: string, path: string) => void | Promise<void> }
);

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** The Authorization header's scheme (`SharedKey`, `Bearer`), absent when the request carried none (a SAS request). */
  readonly authorization?: string;
  readonly fault?: ProxyFault["kind"];
  readonly status?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: use it wherever the target's origin would go. */
  readonly url: string;
  inject(fault: ProxyFault): void;
  /** Every request, in arrival order. */
  readonly requests: readonly ProxiedRequest[];
  /** Faults still armed. */
  pending(): number;
  /** Disarms every fault not yet taken. */
  clear(): void;
  close(): Promise<void>;
}

interface Armed {
  readonly fault: ProxyFault;
  skip: number;
  times: number;
}

function matches(match: RequestMatch | undefined, method: string, path: string): boolean {
  return (match?.method === undefined || match.method === method) && (match?.path === undefined || match.path.test(path));
}

export async function startFaultProxy(targetOrigin: string): Promise<FaultProxy> {
  const target = new URL(targetOrigin);
  const armed: Armed[] = [];
  const requests: ProxiedRequest[] = [];

  function take(method: string, path: string): ProxyFault | undefined {
    for (const entry of armed) {
      if (entry.times === 0 || !matches(entry.fault.match, method, path)) continue;
      if (entry.skip > 0) {
        entry.skip -= 1;
        continue;
      }
      entry.times -= 1;
      return entry.fault;
    }
    return undefined;
  }

  function forward(req: IncomingMessage, res: ServerResponse, record: { status?: number }, fault: ProxyFault | undefined): void {
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      record.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (fault?.kind !== "resetMidBody" && fault?.kind !== "truncate") {
        answer.pipe(res);
        return;
      }
      let sent = 0;
      answer.on("data", (chunk: Buffer) => {
        if (sent >= fault.afterBytes) return;
        const room = fault.afterBytes - sent;
        res.write(chunk.length <= room ? chunk : chunk.subarray(0, room));
        sent += Math.min(room, chunk.length);
        if (sent >= fault.afterBytes) {
          answer.destroy();
          // A truncated body ends cleanly, then the connection closes (the client is left short of Content-Length).
          if (fault.kind === "resetMidBody") res.destroy();
          else {
            const socket = res.socket;
            res.end();
            setImmediate(() => socket?.destroy());
          }
        }
      });
      answer.on("end", () => res.end());
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }

  const server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const fault = take(method, path);
    const record: { method: string; path: string; authorization?: string; fault?: ProxyFault["kind"]; status?: number } = { method, path };
    if (req.headers.authorization !== undefined) record.authorization = req.headers.authorization.split(" ")[0];
    if (fault !== undefined) record.fault = fault.kind;
    requests.push(record);
    if (fault?.kind === "status") {
      record.status = fault.status;
      req.resume();
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      res
        .writeHead(fault.status, headers)
        .end(JSON.stringify({ error: { code: fault.status === 429 ? "TooManyRequests" : "ServiceUnavailable", message: "injected by the fault proxy" } }));
    } else if (fault?.kind === "hook") {
      req.resume();
      Promise.resolve(fault.run(method, path)).finally(() => res.destroy());
    } else if (fault?.kind === "delay") {
      setTimeout(() => forward(req, res, record, undefined), fault.ms);
    } else {
      forward(req, res, record, fault);
    }
  });
  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    requests,
    inject: (fault) => armed.push({ fault, skip: fault.skip ?? 0, times: fault.times ?? 1 }),
    pending: () => armed.reduce((n, a) => n + a.times, 0),
    clear: () => void armed.splice(0),
    close: () => listening.close(),
  };
}
