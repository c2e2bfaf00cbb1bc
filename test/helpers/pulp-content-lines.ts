/**
 * Content-app download lines for the procedural Pulp log group (pulp-log-stream.ts): Python wheels
 * (with build tags and `.whl.metadata`), RPMs (under `Packages/<letter>/`, with epochs, sources),
 * Maven jars and poms (with classifiers), files of no type and files that break their type's
 * grammar. Each line carries the truth it was built from, so tests check the parser without a
 * second parser.
 */
import { fmix } from "./deterministic-hash.js";

export type ContentTruthType = "python" | "rpm" | "maven" | "other";

/** What a correct parser reads from the line; `coordinates` is null where the file breaks its type's grammar. */
export interface PulpContentTruth {
  type: ContentTruthType;
  domain: string;
  path: string;
  statusCode: number;
  artifactSize: number | null;
  cacheHit: boolean | null;
  userAgent: string | null;
  orgId: string | null;
  /** The raw value, which the content exports keep whole. */
  xForwardedFor: string | null;
  requestTimeMs: number | null;
  coordinates: {
    distribution: string;
    packageName: string;
    packageVersion: string;
    architecture: string | null;
    extra: Record<string, string | number | null>;
  } | null;
}

interface Artifact {
  type: ContentTruthType;
  /** After the domain. */
  relative: string;
  coordinates: PulpContentTruth["coordinates"];
}

const PYTHON: readonly Artifact[] = [
  {
    type: "python",
    relative: "rhoai/3.5-EA2/cpu-ubi9/requests-2.34.2-2-py3-none-any.whl",
    coordinates: {
      distribution: "rhoai/3.5-EA2/cpu-ubi9",
      packageName: "requests",
      packageVersion: "2.34.2",
      architecture: "any",
      extra: { build_tag: "2", pyver: "py3", abi: "none" },
    },
  },
  {
    type: "python",
    relative: "pypi-mirror/numpy-2.2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    coordinates: {
      distribution: "pypi-mirror",
      packageName: "numpy",
      packageVersion: "2.2.0",
      architecture: "manylinux_2_17_x86_64.manylinux2014_x86_64",
      extra: { build_tag: null, pyver: "cp312", abi: "cp312" },
    },
  },
  {
    type: "python",
    relative: "rhoai/3.5-EA2/cuda-ubi9/torch-2.5.1-cp311-cp311-manylinux_2_28_aarch64.whl.metadata",
    coordinates: {
      distribution: "rhoai/3.5-EA2/cuda-ubi9",
      packageName: "torch",
      packageVersion: "2.5.1",
      architecture: "manylinux_2_28_aarch64",
      extra: { build_tag: null, pyver: "cp311", abi: "cp311" },
    },
  },
  {
    type: "python",
    relative: "pypi-mirror/zope.interface-7.2-py2.py3-none-any.whl",
    coordinates: {
      distribution: "pypi-mirror",
      packageName: "zope.interface",
      packageVersion: "7.2",
      architecture: "any",
      extra: { build_tag: null, pyver: "py2.py3", abi: "none" },
    },
  },
  { type: "python", relative: "pypi-mirror/not_a_wheel.whl", coordinates: null },
];

const RPM: readonly Artifact[] = [
  {
    type: "rpm",
    relative: "rhel9/baseos/Packages/b/bash-5.1.8-9.el9.x86_64.rpm",
    coordinates: { distribution: "rhel9/baseos", packageName: "bash", packageVersion: "5.1.8", architecture: "x86_64", extra: { epoch: 0, release: "9.el9" } },
  },
  {
    type: "rpm",
    relative: "rhel9/appstream/Packages/p/python3-libs-3.9.19-1.el9.aarch64.rpm",
    coordinates: {
      distribution: "rhel9/appstream",
      packageName: "python3-libs",
      packageVersion: "3.9.19",
      architecture: "aarch64",
      extra: { epoch: 0, release: "1.el9" },
    },
  },
  {
    type: "rpm",
    relative: "epel9/Packages/v/vim-enhanced-2:8.2.2637-20.el9.x86_64.rpm",
    coordinates: {
      distribution: "epel9",
      packageName: "vim-enhanced",
      packageVersion: "8.2.2637",
      architecture: "x86_64",
      extra: { epoch: 2, release: "20.el9" },
    },
  },
  {
    type: "rpm",
    relative: "rhel9/baseos/source/glibc-2.34-100.el9.src.rpm",
    coordinates: {
      distribution: "rhel9/baseos/source",
      packageName: "glibc",
      packageVersion: "2.34",
      architecture: "src",
      extra: { epoch: 0, release: "100.el9" },
    },
  },
  { type: "rpm", relative: "epel9/Packages/broken.rpm", coordinates: null },
];

const MAVEN: readonly Artifact[] = [
  {
    type: "maven",
    relative: "maven-releases/org/apache/commons/commons-lang3/3.14.0/commons-lang3-3.14.0.jar",
    coordinates: {
      distribution: "maven-releases",
      packageName: "commons-lang3",
      packageVersion: "3.14.0",
      architecture: null,
      extra: { group_id: "org.apache.commons", classifier: null, packaging: "jar" },
    },
  },
  {
    type: "maven",
    relative: "maven-releases/com/google/guava/guava/33.0.0-jre/guava-33.0.0-jre.pom",
    coordinates: {
      distribution: "maven-releases",
      packageName: "guava",
      packageVersion: "33.0.0-jre",
      architecture: null,
      extra: { group_id: "com.google.guava", classifier: null, packaging: "pom" },
    },
  },
  {
    type: "maven",
    relative: "maven-central/org/lwjgl/lwjgl/3.3.3/lwjgl-3.3.3-natives-linux.jar",
    coordinates: {
      distribution: "maven-central",
      packageName: "lwjgl",
      packageVersion: "3.3.3",
      architecture: null,
      extra: { group_id: "org.lwjgl", classifier: "natives-linux", packaging: "jar" },
    },
  },
  { type: "maven", relative: "maven-releases/org/example/app/1.0/other-name-1.0.jar", coordinates: null },
];

/** Files of no content type: repository metadata and indexes. */
const OTHER: readonly Artifact[] = [
  { type: "other", relative: "rhel9/baseos/repodata/4f1e6c-primary.xml.gz", coordinates: null },
  { type: "other", relative: "maven-releases/org/apache/commons/commons-lang3/maven-metadata.xml", coordinates: null },
  { type: "other", relative: "pypi-mirror/requests-2.34.2.tar.gz", coordinates: null },
];

const DOMAINS = ["public-rhai", "default", "team_data"] as const;
const AGENTS = ["pip/24.0", "dnf/4.14.0", "Apache-Maven/3.9.6 (Java 21.0.2; Linux 6.8)", "uv/0.9.26", "curl/8.5.0", null] as const;
const XFF = ["23.48.249.160,10.0.0.1", "23.48.249.160, 10.0.0.1", "198.51.100.7", "2001:db8::1, 10.0.0.1", null] as const;
const STATUS = [200, 200, 200, 200, 302, 304, 404] as const;

/** Microseconds to whole milliseconds, half to even (Python's round, which upstream applies). */
function halfToEvenMs(micros: number): number {
  const ms = Math.floor(micros / 1000);
  const rest = micros % 1000;
  return rest > 500 || (rest === 500 && ms % 2 === 1) ? ms + 1 : ms;
}

function pick<T>(pool: readonly T[], h: number): T {
  return pool[h % pool.length] as T;
}

const BY_TYPE: Readonly<Record<ContentTruthType, readonly Artifact[]>> = { python: PYTHON, rpm: RPM, maven: MAVEN, other: OTHER };

function artifactFor(h: number, only: ContentTruthType | undefined): Artifact {
  if (only !== undefined) return pick(BY_TYPE[only], h >>> 8);
  const roll = h % 100;
  if (roll < 40) return pick(PYTHON, h >>> 8);
  if (roll < 70) return pick(RPM, h >>> 8);
  if (roll < 92) return pick(MAVEN, h >>> 8);
  return pick(OTHER, h >>> 8);
}

/** One content-app line for hash h at the gunicorn time (e.g. `09/Jun/2026:14:30:00 +0000`); `only` keeps to one type's files. */
export function contentLine(h: number, gunicornTime: string, only?: ContentTruthType): { line: string; truth: PulpContentTruth } {
  const h2 = fmix(h ^ 0x3c6ef372);
  const artifact = artifactFor(h2, only);
  const domain = pick(DOMAINS, h >>> 5);
  const statusCode = pick(STATUS, h2 >>> 11);
  const artifactSize = (h >>> 9) % 13 === 0 ? null : 1_000 + ((h2 >>> 3) % 50_000_000);
  const cache = pick(["HIT", "MISS", "-"] as const, h >>> 13);
  const userAgent = pick(AGENTS, h2 >>> 15);
  const orgId = (h >>> 17) % 5 === 0 ? null : String(100_000 + ((h2 >>> 4) % 900_000));
  const xForwardedFor = pick(XFF, h >>> 19);
  // A quarter of the lines predate request_time in the log format.
  const requestMicros = (h2 >>> 21) % 4 === 0 ? null : (h % 5_000_000) + 1;
  const query = (h >>> 23) % 9 === 0 ? "?token-free=1" : "";
  const path = `/api/pulp-content/${domain}/${artifact.relative}${query}`;
  const dash = (v: string | number | null): string => (v === null ? "-" : String(v));
  const timeAtom = requestMicros === null ? "" : ` request_time:"${(requestMicros / 1_000_000).toFixed(6)}"`;
  const prefix = (h >>> 25) % 6 === 0 ? `pulp [${(h2 >>> 1).toString(16)}]: ` : "";
  const line =
    `${prefix}10.128.${(h2 >>> 12) & 15}.${(h2 >>> 16) & 255} [${gunicornTime}] "GET ${path} HTTP/1.1" ${statusCode} ${dash(artifactSize)} "-" "${dash(userAgent)}" ` +
    `cache:"${cache}" artifact_size:"${dash(artifactSize)}" rh_org_id:"${dash(orgId)}" x_forwarded_for:"${dash(xForwardedFor)}"${timeAtom}`;
  return {
    line,
    truth: {
      type: artifact.type,
      domain,
      path,
      statusCode,
      artifactSize,
      cacheHit: cache === "HIT" ? true : cache === "MISS" ? false : null,
      userAgent,
      orgId,
      xForwardedFor,
      requestTimeMs: requestMicros === null ? null : halfToEvenMs(requestMicros),
      coordinates: artifact.coordinates,
    },
  };
}
