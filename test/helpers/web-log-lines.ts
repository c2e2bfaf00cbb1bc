/**
 * The access lines of the procedural Pulp log group rewritten in the common web formats (seed 003's users):
 * Apache/nginx combined with nginx's quoted X-Forwarded-For and `$request_time`, and nginx's JSON
 * `log_format … escape=json`. Same truth, so a parser of either format can be checked against it.
 */
import type { PulpAccessTruth } from "./pulp-log-stream.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

function clf(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(8, 10)}/${MONTHS[Number(iso.slice(5, 7)) - 1] ?? "Jan"}/${iso.slice(0, 4)}:${iso.slice(11, 19)} +0000`;
}

/** Apache escapes `"` and `\` in quoted fields with a backslash. */
function quoted(value: string | null): string {
  return `"${value === null ? "-" : value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export function combinedLine(a: PulpAccessTruth, timestampMs: number): string {
  return (
    `${a.remoteAddr} - ${a.user === null ? "-" : a.user.replaceAll(" ", "%20")} [${clf(timestampMs)}] "${a.method} ${a.target} HTTP/1.1" ${a.statusCode} ${a.responseBytes ?? "-"} ` +
    `${quoted(a.referer)} ${quoted(a.userAgent)} ${quoted(a.xForwardedFor)} ${seconds(a.durationMs)}`
  );
}

export function nginxJsonLine(a: PulpAccessTruth, timestampMs: number): string {
  return JSON.stringify({
    time_local: clf(timestampMs),
    remote_addr: a.remoteAddr,
    remote_user: a.user ?? "",
    request: `${a.method} ${a.target} HTTP/1.1`,
    status: String(a.statusCode),
    body_bytes_sent: String(a.responseBytes ?? 0),
    request_time: seconds(a.durationMs),
    http_referer: a.referer ?? "",
    http_user_agent: a.userAgent ?? "",
    http_x_forwarded_for: a.xForwardedFor ?? "",
    request_id: a.correlationId ?? "",
  });
}
