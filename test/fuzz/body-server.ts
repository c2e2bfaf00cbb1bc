/**
 * A loopback HTTP server that answers each request with whatever the test sets: status,
 * body text, and where to cut the body into separate writes. The fuzz suites point the
 * real SDK clients at it to serve malformed, truncated and oversized responses.
 */
import { createServer, type IncomingMessage } from "node:http";
import { listenOnLoopback } from "../helpers/loopback-server.js";

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  /** Offsets at which the body is split into separate writes (a streamed response). */
  readonly cuts?: readonly number[];
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface BodyServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Decides the reply to each request. */
  answer: (request: ReceivedRequest) => Reply;
  close(): Promise<void>;
}

export async function startBodyServer(): Promise<BodyServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = state.answer({ path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json; charset=utf-8" });
      let from = 0;
      for (const cut of [...(reply.cuts ?? [])].sort((a, b) => a - b)) {
        if (cut <= from || cut >= reply.body.length) continue;
        res.write(reply.body.slice(from, cut));
        from = cut;
      }
      res.end(reply.body.slice(from));
    });
  });
  const listening = await listenOnLoopback(server);
  const state: BodyServer = { url: listening.url, answer: () => ({ status: 500, body: "{}" }), close: listening.close };
  return state;
}
