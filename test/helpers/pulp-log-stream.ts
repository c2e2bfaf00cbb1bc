/**
 * A deterministic, procedurally generated CloudWatch Logs log group holding
 * Pulp's gunicorn access log (seed 001's input; format in FIELD-NOTES "The
 * seed Pulp exporter's input"). Nothing is materialised: counts come from
 * arithmetic on `eventsInSecond`, events are generated on demand from
 * (second, index), so an hour of a million events costs O(1) memory.
 *
 * Layout: the n events of a second sit at millisecond offsets
 * floor(j * 999 / (n - 1)), so every second with two or more events has one at
 * .000 and one at .999 (the edges an inclusive-bound bug trips on), and a
 * second with more than 1,000 events has several per millisecond.
 *
 * Each event also carries the truth its message was built from (kind, parsed
 * access-log atoms, threat category), so tests can check a parser without a
 * second parser.
 */
import { SECOND_MS } from "../../shared/core/time.js";
import type { EnvelopeShape } from "../../shared/parsers/envelope.js";
import type { LogGroupSource, SourceEvent } from "./fake-cloudwatch-logs.js";
import { fmix, hash3, hashString, hex8 } from "./deterministic-hash.js";
import { contentLine, type ContentTruthType, type PulpContentTruth } from "./pulp-content-lines.js";

export type PulpLineKind =
  /** An authenticated /api/pypi/{domain}/{distribution}/simple/{package}/ request. */
  | "access"
  /** The same with `user:- org_id:-`. */
  | "anonymous"
  /** /api/pypi/ but no package (the simple index root, an upload to legacy/): passes the path filter, has no package. */
  | "pypiNonPackage"
  /** A /api/pypi/ package request carrying an attack pattern (seed 003's checks). */
  | "threat"
  /** /livez or /status probes: excluded by default. */
  | "health"
  /** `django.request:WARNING` lines, which mention /api/pypi/ paths: excluded. */
  | "djangoWarning"
  /** Access-log lines for paths outside /api/pypi/. */
  | "otherPath"
  /** Lines that mention /api/pypi/ but do not parse (truncated, broken envelope, bad status, django ERROR). */
  | "malformed"
  /** Content-app download lines (pulp-content-lines.ts), only where the spec asks for a content share. */
  | "content";

export type ThreatCategory = "path_traversal" | "xss" | "sql_injection" | "file_inclusion" | "command_injection";

/** The gunicorn atoms of an access-log line as logged; `-` atoms are null. */
export interface PulpAccessTruth {
  correlationId: string | null;
  remoteAddr: string;
  user: string | null;
  orgId: string | null;
  method: string;
  /** The request target as logged (path and query). */
  target: string;
  domain: string | null;
  distribution: string | null;
  package: string | null;
  statusCode: number;
  responseBytes: number | null;
  referer: string | null;
  userAgent: string | null;
  durationMs: number;
  /** The raw X-Forwarded-For value (a parser keeps its first address). */
  xForwardedFor: string | null;
}

export interface PulpLogEvent extends SourceEvent {
  kind: PulpLineKind;
  /** How `message` holds `line`: bare, or in a JSON envelope's `message` (OpenShift logging) or `log` (Fluent Bit). */
  shape: EnvelopeShape;
  /** The application line (what the envelope holds, without its trailing newline). */
  line: string;
  /** Present for access-log lines (access, anonymous, pypiNonPackage, threat, health, otherPath). */
  access?: PulpAccessTruth;
  threat?: ThreatCategory;
  /** Present for content-app download lines. */
  content?: PulpContentTruth;
}

export interface PulpLogStreamSpec {
  /** Events whose timestamp falls in the second starting at secondStartMs (a whole-second epoch ms). */
  eventsInSecond(secondStartMs: number): number;
  logGroupName?: string;
  /** Different seeds give different messages for the same layout. */
  seed?: string;
  /** Log streams (pods) the events are spread over; default 3. */
  streamCount?: number;
  /** Per mille of events that are content-app download lines instead (default 0). */
  contentShare?: number;
  /** Content lines of this type's files only (default: a mix of every type and files of none). */
  contentType?: ContentTruthType;
  /** How every event holds its line (default `mixed`: one in twenty bare, the rest in a `log` envelope). */
  envelope?: EnvelopeShape | "mixed";
}

export interface HistogramBin {
  binStartMs: number;
  count: number;
}

export const DEFAULT_LOG_GROUP = "/aws/containerinsights/pulp-prod/application";
/** What the fake reports as bytes scanned per event: this generator's average message is ~660 characters. */
const BYTES_PER_EVENT = 660;

export class PulpLogStream implements LogGroupSource {
  readonly logGroupName: string;
  readonly logStreamNames: readonly string[];
  readonly bytesPerEvent = BYTES_PER_EVENT;
  private readonly spec: PulpLogStreamSpec;
  private readonly seed: number;
  private readonly pods: readonly Pod[];

  constructor(spec: PulpLogStreamSpec) {
    this.spec = spec;
    this.logGroupName = spec.logGroupName ?? DEFAULT_LOG_GROUP;
    this.seed = hashString(`${this.logGroupName}#${spec.seed ?? ""}`);
    const streamCount = spec.streamCount ?? 3;
    if (!Number.isSafeInteger(streamCount) || streamCount < 1) throw new RangeError(`streamCount must be ≥ 1, got ${streamCount}`);
    this.pods = Array.from({ length: streamCount }, (_, i) => makePod(this.seed, i));
    this.logStreamNames = this.pods.map((p) => p.streamName);
  }

  /** Validated so that a bad spec fails loudly. */
  eventsInSecond(secondStartMs: number): number {
    const n = this.spec.eventsInSecond(secondStartMs);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`eventsInSecond(${secondStartMs}) returned ${n}`);
    return n;
  }

  /** Exact number of events with startMs ≤ timestamp < endMs (all streams). */
  count(startMs: number, endMs: number): number {
    checkRange(startMs, endMs);
    let total = 0;
    for (let s = floorSecond(startMs); s < endMs; s += SECOND_MS) {
      const n = this.eventsInSecond(s);
      if (n > 0) total += before(Math.min(endMs, s + SECOND_MS) - s, n) - before(Math.max(startMs, s) - s, n);
    }
    return total;
  }

  /** Non-empty bins (floored to epoch multiples of binMs) over [startMs, endMs), in time order; O(bins + seconds), never O(events). */
  histogram(startMs: number, endMs: number, binMs: number): HistogramBin[] {
    checkRange(startMs, endMs);
    if (!Number.isSafeInteger(binMs) || binMs <= 0) throw new RangeError(`bin width must be a positive whole number of ms, got ${binMs}`);
    const bins: HistogramBin[] = [];
    for (let s = floorSecond(startMs); s < endMs; s += SECOND_MS) {
      const n = this.eventsInSecond(s);
      if (n === 0) continue;
      const hi = Math.min(endMs, s + SECOND_MS) - s;
      const jEnd = before(hi, n);
      for (let j = before(Math.max(startMs, s) - s, n); j < jEnd; ) {
        const bin = Math.floor((s + offsetOf(j, n)) / binMs) * binMs;
        const next = before(Math.min(bin + binMs - s, hi), n);
        const last = bins.at(-1);
        if (last?.binStartMs === bin) last.count += next - j;
        else bins.push({ binStartMs: bin, count: next - j });
        j = next;
      }
    }
    return bins;
  }

  /**
   * Events with startMs ≤ timestamp < endMs in timestamp order (ties in a fixed order), optionally only some
   * streams, optionally resuming after the event whose `cursor` is given.
   */
  *events(
    startMs: number,
    endMs: number,
    options: { logStreamNames?: readonly string[]; afterCursor?: string } = {},
  ): Generator<PulpLogEvent, void, undefined> {
    checkRange(startMs, endMs);
    const wanted = options.logStreamNames === undefined ? undefined : new Set(options.logStreamNames);
    let firstSecond = floorSecond(startMs);
    let firstIndex = -1;
    if (options.afterCursor !== undefined) {
      const resume = parseCursor(options.afterCursor);
      if (resume.secondStartMs > firstSecond) firstSecond = resume.secondStartMs;
      if (resume.secondStartMs === firstSecond) firstIndex = resume.index;
    }
    for (let s = firstSecond; s < endMs; s += SECOND_MS) {
      const n = this.eventsInSecond(s);
      if (n === 0) continue;
      const jEnd = before(Math.min(endMs, s + SECOND_MS) - s, n);
      let j = before(Math.max(startMs, s) - s, n);
      if (s === firstSecond && firstIndex >= j) j = firstIndex + 1;
      if (j >= jEnd) continue;
      const clock = secondClock(s);
      for (; j < jEnd; j += 1) {
        const h = hash3(this.seed, s / SECOND_MS, j);
        const pod = this.pods[h % this.pods.length] as Pod;
        if (wanted !== undefined && !wanted.has(pod.streamName)) continue;
        yield buildEvent(h, s, j, n, clock, pod, this.spec);
      }
    }
  }
}

export interface PulpHourOptions {
  hourStartMs: number;
  /** Regular events in the hour, spread evenly over its seconds (bursts come on top). */
  eventsInHour: number;
  /** Extra events packed into single seconds, e.g. `{ secondStartMs, events: 12_000 }`. */
  bursts?: ReadonlyArray<{ secondStartMs: number; events: number }>;
  /**
   * Seconds before and after the hour that carry events at the same rate (default 600), so that
   * rows leaking across the hour's edges show up as extra rows rather than vanishing.
   */
  marginSeconds?: number;
  logGroupName?: string;
  seed?: string;
  streamCount?: number;
  contentShare?: number;
  contentType?: ContentTruthType;
  envelope?: EnvelopeShape | "mixed";
}

/** An hour of Pulp traffic: `count(hourStart, hourStart + 1 h)` is exactly eventsInHour + the bursts. */
export function pulpHourStream(options: PulpHourOptions): PulpLogStream {
  const { hourStartMs, eventsInHour } = options;
  if (hourStartMs % 3_600_000 !== 0) throw new RangeError("hourStartMs must be a whole hour");
  if (!Number.isSafeInteger(eventsInHour) || eventsInHour < 0) throw new RangeError(`eventsInHour must be ≥ 0, got ${eventsInHour}`);
  const margin = options.marginSeconds ?? 600;
  const bursts = new Map<number, number>();
  for (const burst of options.bursts ?? []) {
    if (burst.secondStartMs % SECOND_MS !== 0) throw new RangeError("a burst must start on a whole second");
    bursts.set(burst.secondStartMs, (bursts.get(burst.secondStartMs) ?? 0) + burst.events);
  }
  return new PulpLogStream({
    logGroupName: options.logGroupName,
    seed: options.seed,
    streamCount: options.streamCount,
    contentShare: options.contentShare,
    contentType: options.contentType,
    envelope: options.envelope,
    eventsInSecond(s) {
      const i = (s - hourStartMs) / SECOND_MS;
      if (i < -margin || i >= 3_600 + margin) return 0;
      // Floors of a running total: exact over the hour, and the same rate continues into the margins.
      const regular = Math.floor((eventsInHour * (i + 1)) / 3_600) - Math.floor((eventsInHour * i) / 3_600);
      return regular + (bursts.get(s) ?? 0);
    },
  });
}

// ---- layout: n events in a second ----

/** Millisecond offset of event j of n in its second: first at 0, last at 999. */
function offsetOf(j: number, n: number): number {
  return n === 1 ? 0 : Math.floor((j * 999) / (n - 1));
}

/** How many of the second's n events have an offset below offsetMs (the inverse of offsetOf). */
function before(offsetMs: number, n: number): number {
  if (offsetMs <= 0) return 0;
  if (offsetMs >= SECOND_MS || n === 1) return n;
  // floor(j * 999 / (n - 1)) < offsetMs  <=>  j < offsetMs * (n - 1) / 999
  return Math.min(n, Math.ceil((offsetMs * (n - 1)) / 999));
}

function floorSecond(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}

function checkRange(startMs: number, endMs: number): void {
  if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs)) throw new RangeError(`range bounds must be whole ms, got ${startMs}..${endMs}`);
}

function parseCursor(cursor: string): { secondStartMs: number; index: number } {
  const match = /^(\d+)\.(\d+)$/.exec(cursor);
  if (!match) throw new RangeError(`not a PulpLogStream cursor: ${cursor}`);
  return { secondStartMs: Number(match[1]), index: Number(match[2]) };
}

function pick<T>(pool: readonly T[], h: number): T {
  return pool[h % pool.length] as T;
}

// ---- pods (log streams) ----

interface Pod {
  streamName: string;
  podName: string;
  podId: string;
  host: string;
  dockerId: string;
  /** The envelope's `kubernetes` object as JSON, built once: stringifying it per event dominated generation time. */
  kubernetesJson: string;
}

function makePod(seed: number, i: number): Pod {
  const suffix = hex8(hash3(seed, i, 1)).slice(0, 5);
  const podName = `pulp-api-7d9f8c6b5-${suffix}`;
  const dockerId = `${hex8(hash3(seed, i, 2))}${hex8(hash3(seed, i, 3))}${hex8(hash3(seed, i, 4))}${hex8(hash3(seed, i, 5))}`.repeat(2);
  const podId = `${hex8(hash3(seed, i, 6))}-${hex8(hash3(seed, i, 7)).slice(0, 4)}-4${hex8(hash3(seed, i, 8)).slice(0, 3)}-a${hex8(hash3(seed, i, 9)).slice(0, 3)}-${hex8(hash3(seed, i, 10))}${hex8(hash3(seed, i, 11)).slice(0, 4)}`;
  const host = `ip-10-0-${1 + (i % 3)}-${20 + i}.ec2.internal`;
  return {
    // Container Insights names a stream <pod>_<namespace>_<container>-<docker id>.
    streamName: `${podName}_pulp-prod_pulp-api-${dockerId}`,
    podName,
    podId,
    host,
    dockerId,
    kubernetesJson: JSON.stringify({
      pod_name: podName,
      namespace_name: "pulp-prod",
      pod_id: podId,
      host,
      container_name: "pulp-api",
      docker_id: dockerId,
      container_image: "quay.io/pulp/pulp:3.73",
    }),
  };
}

// ---- time formatting, once per second ----

interface SecondClock {
  /** `04/Feb/2026:14:30:00 +0000` (gunicorn %(t)s without brackets). */
  gunicorn: string;
  /** `2026-02-04T14:30:00.` (the envelope's time, to be followed by 9 fraction digits and Z). */
  isoPrefix: string;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

function secondClock(secondStartMs: number): SecondClock {
  const iso = new Date(secondStartMs).toISOString(); // 2026-02-04T14:30:00.000Z
  const month = MONTHS[Number(iso.slice(5, 7)) - 1] ?? "Jan";
  return { gunicorn: `${iso.slice(8, 10)}/${month}/${iso.slice(0, 4)}:${iso.slice(11, 19)} +0000`, isoPrefix: iso.slice(0, 20) };
}

// ---- message content ----

const DOMAINS = ["default", "domain1", "rh-ai", "team_data"] as const;
const DISTRIBUTIONS = ["pypi", "dist1", "internal-3.12", "mirror.pypi", "rhoai/3.4/cuda12.4-ubi9"] as const;
const PACKAGES = [
  "requests",
  "numpy",
  "Django",
  "zope.interface",
  "typing_extensions",
  "ruamel.yaml.clib",
  "package1",
  "torch",
  "pkg-with-dashes",
  "%C3%BCber-tool",
] as const;
// An x509 service account is logged as its subject DN, spaces included.
const USERS = ["testuser", "alice", "svc-ci-bot", "jane.doe@example.com", "b0b", "/O=Red Hat/OU=Pulp/CN=svc-build"] as const;
const ORGS = ["org123", "1234567", "acme-corp"] as const;
const USER_AGENTS = [
  "uv/0.9.26 {}",
  // pip's real user agent embeds JSON, quotes included: a naive `"([^"]*)"` split breaks here.
  'pip/25.0.1 {"ci":null,"cpu":"x86_64","distro":{"name":"Fedora Linux","version":"41"},"implementation":{"name":"CPython","version":"3.12.3"},"installer":{"name":"pip","version":"25.0.1"},"python":"3.12.3"}',
  "python-requests/2.32.3",
  "poetry/2.1.1",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
  "curl/8.5.0",
] as const;
const XFF = ["23.48.249.160,10.0.0.1", "23.48.249.160, 10.0.0.1", "198.51.100.7", "2001:db8::1, 10.0.0.1", "203.0.113.9,198.51.100.1,10.0.0.1"] as const;
const STATUS = [200, 200, 200, 200, 200, 304, 404, 401, 302, 500] as const;
const OTHER_PATHS = [
  "/pulp/api/v3/tasks/?state=running",
  "/pulp/content/default/dist1/numpy-2.2.0.tar.gz",
  "/api/v3/repositories/python/python/",
  "/pypi/default/dist1/simple/numpy/",
  "/favicon.ico",
] as const;

const THREATS: ReadonlyArray<{ category: ThreatCategory; suffix: string }> = [
  { category: "path_traversal", suffix: "../../../../var/lib/pulp/" },
  { category: "xss", suffix: "requests/?q=<script>alert(document.cookie)</script>" },
  { category: "sql_injection", suffix: "requests/?id=1%27%20union%20select%20username,password%20from%20auth_user--" },
  { category: "file_inclusion", suffix: "requests/?page=file:///etc/passwd" },
  { category: "command_injection", suffix: "requests/?exec=cmd.exe%20/c%20whoami" },
];

interface Built {
  kind: PulpLineKind;
  line: string;
  access?: PulpAccessTruth;
  threat?: ThreatCategory;
  content?: PulpContentTruth;
  /** A broken envelope replaces the whole message. */
  rawMessage?: string;
  stream: "stdout" | "stderr";
}

function correlationId(h: number, h2: number): string | null {
  return h % 29 === 0 ? null : `${hex8(h2)}${hex8(fmix(h2 ^ 0x51ed27))}${hex8(fmix(h ^ 0x2545f491))}${hex8(fmix(h2 + 1))}`;
}

/** The format deployed/clowdapp.yaml sets, which wraps the line in `( … )`; the image's own unwrapped one where `wrapped` is false. */
function accessLine(a: PulpAccessTruth, clock: SecondClock, wrapped = false): string {
  const dash = (v: string | number | null): string => (v === null ? "-" : String(v));
  const line =
    `pulp [${dash(a.correlationId)}]: ${a.remoteAddr} - user:${dash(a.user)} org_id:${dash(a.orgId)} [${clock.gunicorn}] ` +
    `"${a.method} ${a.target} HTTP/1.1" ${a.statusCode} ${dash(a.responseBytes)} "${dash(a.referer)}" "${dash(a.userAgent)}" ` +
    `${a.durationMs} x_forwarded_for:"${dash(a.xForwardedFor)}"`;
  return wrapped ? `(${line})` : line;
}

function baseAccess(h: number, h2: number): PulpAccessTruth {
  const statusCode = pick(STATUS, h2 >>> 3);
  const domain = pick(DOMAINS, h >>> 4);
  const distribution = pick(DISTRIBUTIONS, h >>> 7);
  const pkg = pick(PACKAGES, h2 >>> 9);
  return {
    correlationId: correlationId(h, h2),
    remoteAddr: `10.128.${(h2 >>> 12) & 15}.${(h2 >>> 16) & 255}`,
    user: pick(USERS, h >>> 11),
    orgId: pick(ORGS, h >>> 14),
    method: "GET",
    target: `/api/pypi/${domain}/${distribution}/simple/${pkg}/`,
    domain,
    distribution,
    package: pkg,
    statusCode,
    responseBytes: statusCode === 304 ? null : 120 + ((h2 >>> 5) % 90_000),
    referer: null,
    userAgent: (h2 >>> 20) % 41 === 0 ? null : pick(USER_AGENTS, h >>> 17),
    durationMs: (h2 >>> 7) % 2_500,
    xForwardedFor: (h >>> 20) % 23 === 0 ? null : pick(XFF, h2 >>> 22),
  };
}

function buildContent(h: number, clock: SecondClock, content: Pick<PulpLogStreamSpec, "contentShare" | "contentType">): Built {
  const share = content.contentShare ?? 0;
  if (share > 0 && fmix(h ^ 0x1b56c4e9) % 1_000 < share) {
    const { line, truth } = contentLine(h, clock.gunicorn, content.contentType);
    return { kind: "content", line, content: truth, stream: "stdout" };
  }
  const h2 = fmix(h ^ 0x68e31da4);
  const roll = h % 1_000;
  if (roll < 10) return malformed(h, h2, clock);
  if (roll < 50) {
    const target = (h2 & 1) === 0 ? "/livez" : "/status/";
    const access = {
      ...baseAccess(h, h2),
      ...{ user: null, orgId: null, target, domain: null, distribution: null, package: null },
      ...{ statusCode: 200, responseBytes: 2, userAgent: "kube-probe/1.31", xForwardedFor: null, durationMs: 1 },
    };
    return { kind: "health", line: accessLine(access, clock), access, stream: "stdout" };
  }
  if (roll < 80) {
    const a = baseAccess(h, h2);
    const what = (h2 & 1) === 0 ? "Not Found" : "Unauthorized";
    return { kind: "djangoWarning", line: `pulp [${a.correlationId ?? "-"}]: django.request:WARNING: ${what}: ${a.target}`, stream: "stderr" };
  }
  if (roll < 120) {
    const access = { ...baseAccess(h, h2), target: pick(OTHER_PATHS, h2 >>> 4), domain: null, distribution: null, package: null };
    return { kind: "otherPath", line: accessLine(access, clock), access, stream: "stdout" };
  }
  if (roll < 130) {
    const a = baseAccess(h, h2);
    const upload = (h2 & 1) === 0;
    const target = upload ? `/api/pypi/${a.domain}/${a.distribution}/legacy/` : `/api/pypi/${a.domain}/${a.distribution}/simple/`;
    const access = { ...a, method: upload ? "POST" : "GET", target, package: null };
    return { kind: "pypiNonPackage", line: accessLine(access, clock), access, stream: "stdout" };
  }
  if (roll < 140) {
    const threat = pick(THREATS, h2 >>> 6);
    const a = baseAccess(h, h2);
    const target = `/api/pypi/${a.domain}/${a.distribution}/simple/${threat.suffix}`;
    const pkg = threat.category === "path_traversal" ? ".." : "requests";
    const access = { ...a, target, package: pkg, statusCode: 404, responseBytes: 9 };
    return { kind: "threat", line: accessLine(access, clock), access, threat: threat.category, stream: "stdout" };
  }
  const a = baseAccess(h, h2);
  if (roll < 240) {
    const access = { ...a, user: null, orgId: null };
    return { kind: "anonymous", line: accessLine(access, clock), access, stream: "stdout" };
  }
  const access = h2 >>> 28 === 0 ? { ...a, target: `${a.target}?format=json` } : a;
  return { kind: "access", line: accessLine(access, clock, (h >>> 26) % 2 === 0), access, stream: "stdout" };
}

function malformed(h: number, h2: number, clock: SecondClock): Built {
  const a = baseAccess(h, h2);
  const full = accessLine(a, clock);
  switch ((h2 >>> 4) % 4) {
    case 0: {
      // Cut right after the request line: the status and everything after it are missing.
      const cut = full.indexOf(' HTTP/1.1"') + 10;
      return { kind: "malformed", line: full.slice(0, cut), stream: "stdout" };
    }
    case 1:
      return { kind: "malformed", line: full.replace(/" \d{3} /, '" abc '), stream: "stdout" };
    case 2:
      return { kind: "malformed", line: `pulp [${a.correlationId ?? "-"}]: django.request:ERROR: Internal Server Error: ${a.target}`, stream: "stderr" };
    default: {
      // The envelope itself is cut short (a partial line flushed by the log shipper).
      const envelope = JSON.stringify({ log: `${full}\n`, stream: "stdout" });
      return { kind: "malformed", line: full, rawMessage: envelope.slice(0, envelope.indexOf(" HTTP/1.1")), stream: "stdout" };
    }
  }
}

/** The shape of one event: the spec's, or (mixed) one message in twenty bare (a stream without the container envelope), the rest in a `log` envelope. */
function shapeOf(h: number, envelope: PulpLogStreamSpec["envelope"]): EnvelopeShape {
  if (envelope !== undefined && envelope !== "mixed") return envelope;
  return (h >>> 10) % 20 === 0 ? "bare" : "log";
}

/** The event's message: the line bare, or OpenShift logging's envelope (`message`, `kubernetes`, `hostname`, …), or Fluent Bit's (`log` with its newline). */
function messageOf(shape: EnvelopeShape, line: string, stream: string, time: string, pod: Pod): string {
  if (shape === "bare") return line;
  if (shape === "message")
    return `{"@timestamp":"${time}","message":${JSON.stringify(line)},"hostname":"${pod.host}","level":"default","log_type":"application","kubernetes":${pod.kubernetesJson}}`;
  return `{"log":${JSON.stringify(`${line}\n`)},"stream":"${stream}","time":"${time}","kubernetes":${pod.kubernetesJson}}`;
}

/** A message cut short by the log shipper, in the event's shape: the envelope cut mid-line, or the bare line cut after its request. */
function brokenMessage(shape: EnvelopeShape, line: string, cutLogEnvelope: string): string {
  if (shape === "bare") return line.slice(0, line.indexOf(" HTTP/1.1"));
  return shape === "message" ? cutLogEnvelope.replace('{"log":', '{"message":') : cutLogEnvelope;
}

function buildEvent(
  h: number,
  s: number,
  j: number,
  n: number,
  clock: SecondClock,
  pod: Pod,
  spec: Pick<PulpLogStreamSpec, "contentShare" | "contentType" | "envelope">,
): PulpLogEvent {
  const timestamp = s + offsetOf(j, n);
  const built = buildContent(h, clock, spec);
  // Mixed: a broken envelope is always a `log` one, as before shapes could be chosen.
  const shape = built.rawMessage !== undefined && (spec.envelope ?? "mixed") === "mixed" ? "log" : shapeOf(h, spec.envelope);
  const time = `${clock.isoPrefix}${String(timestamp - s).padStart(3, "0")}${String(h % 1_000_000).padStart(6, "0")}Z`;
  const message = built.rawMessage === undefined ? messageOf(shape, built.line, built.stream, time, pod) : brokenMessage(shape, built.line, built.rawMessage);
  const event: PulpLogEvent = {
    logStreamName: pod.streamName,
    timestamp,
    message,
    ingestionTime: timestamp + 200 + (h % 4_800),
    // Real event ids are 56 digits; ours are unique per (second, index) and sort like the events.
    eventId: `${String(s / SECOND_MS).padStart(12, "0")}${String(j).padStart(9, "0")}${String(h).padStart(10, "0")}`.padEnd(56, "0"),
    cursor: `${s}.${j}`,
    kind: built.kind,
    shape,
    line: built.line,
  };
  if (built.access !== undefined) event.access = built.access;
  if (built.threat !== undefined) event.threat = built.threat;
  if (built.content !== undefined) event.content = built.content;
  return event;
}
