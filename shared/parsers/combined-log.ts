import { boundedCount, secondsToMilliseconds, statusCode, type AccessLine } from "./access-line.js";
import { unescapeLogField } from "./log-escapes.js";
import { atom, firstForwarded } from "./log-line.js";

/**
 * The combined log format of Apache and nginx, with what is commonly appended to it:
 *
 *   %h %l %u [%t] "%r" %>s %b "%{Referer}i" "%{User-Agent}i"                       (Apache, nginx `combined`)
 *   … "$http_user_agent" "$http_x_forwarded_for"                                   (nginx's default `main`)
 *   … [ "$http_x_forwarded_for"] $request_time                                     (seconds: nginx `$request_time`, Apache `%T`)
 *
 * The head is matched up to the user agent's opening quote; the tail is read from the right, so a
 * user agent holding escaped quotes stays whole. `-` is null.
 */
const HEAD = /^(\S+) \S+ (\S+) \[[^\]]{1,64}\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "/;
const REQUEST = /^([A-Z]+) (\S+)(?: (HTTP\/[\d.]+))?$/;
const REQUEST_TIME = / (\d+(?:\.\d+)?|-)$/;
/** A quoted X-Forwarded-For after the user agent: IPv4 or IPv6 addresses and commas only, so a user agent is never taken for one. */
const ADDRESS = "[0-9A-Fa-f]*[.:][0-9A-Fa-f.:]*";
const FORWARDED = new RegExp(`" "(-|${ADDRESS}(?:, ?${ADDRESS})*)"$`);

/** Optional tail fields from the right: request time, then X-Forwarded-For; what is left must close the user agent. */
function readTail(rest: string): { readonly userAgent: string; readonly forwarded: string | undefined; readonly seconds: string | undefined } | undefined {
  const time = REQUEST_TIME.exec(rest);
  const beforeTime = time === null ? rest : rest.slice(0, time.index);
  const forwarded = FORWARDED.exec(beforeTime);
  const agent = forwarded === null ? beforeTime : beforeTime.slice(0, forwarded.index + 1);
  if (!agent.endsWith('"')) return undefined;
  return { userAgent: agent.slice(0, -1), forwarded: forwarded?.[1], seconds: time?.[1] };
}

export function parseCombinedLine(line: string): AccessLine | undefined {
  const head = HEAD.exec(line);
  if (head === null) return undefined;
  const tail = readTail(line.slice(head[0].length));
  const request = REQUEST.exec(unescapeLogField(head[3] ?? ""));
  const status = statusCode(head[4]);
  const responseBytes = boundedCount(head[5], Number.MAX_SAFE_INTEGER);
  const durationMs = tail?.seconds === undefined || tail.seconds === "-" ? null : secondsToMilliseconds(tail.seconds);
  if (tail === undefined || request === null || status === undefined || responseBytes === undefined || durationMs === undefined) return undefined;
  return {
    correlationId: null,
    remoteAddr: head[1] ?? null,
    user: atom(unescapeLogField(head[2] ?? "")),
    orgId: null,
    method: request[1] ?? "",
    path: request[2] ?? "",
    protocol: request[3] ?? null,
    statusCode: status,
    responseBytes,
    referer: atom(unescapeLogField(head[6] ?? "")),
    userAgent: atom(unescapeLogField(tail.userAgent)),
    durationMs,
    xForwardedFor: firstForwarded(atom(tail.forwarded)),
  };
}
