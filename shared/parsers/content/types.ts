import type { ParquetColumn, ParquetSchema } from "../../formats/parquet/schema.js";
import { parseMavenPath } from "./maven.js";
import type { ContentPath } from "./path.js";
import { parseRpmName } from "./rpm.js";
import { parseWheelName } from "./wheel.js";

export const CONTENT_TYPES = ["python", "rpm", "maven"] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** What a content type reads from a request path; the type's own columns are in `extra`. */
export interface ContentCoordinates {
  readonly distribution: string;
  readonly packageName: string;
  readonly packageVersion: string;
  readonly architecture: string | null;
  readonly extra: Readonly<Record<string, string | number | null>>;
}

export interface ContentTypeSpec {
  readonly type: ContentType;
  /** File name endings the server-side filter keeps (cuts what the queries return and the histogram counts). */
  readonly extensions: readonly string[];
  /** The type's columns after the common ones. */
  readonly columns: readonly ParquetColumn[];
  /** undefined: the file does not match the type's grammar (counted, not guessed). */
  coordinates(path: ContentPath): ContentCoordinates | undefined;
}

const PYTHON: ContentTypeSpec = {
  type: "python",
  extensions: [".whl", ".whl.metadata"],
  columns: [
    { name: "build_tag", type: "string", nullable: true },
    { name: "pyver", type: "string", nullable: true },
    { name: "abi", type: "string", nullable: true },
  ],
  coordinates(path) {
    const wheel = parseWheelName(path.filename);
    if (wheel === undefined) return undefined;
    return {
      distribution: path.distribution,
      packageName: wheel.name,
      packageVersion: wheel.version,
      architecture: wheel.platformTag,
      extra: { build_tag: wheel.buildTag, pyver: wheel.pythonTag, abi: wheel.abiTag },
    };
  },
};

const RPM: ContentTypeSpec = {
  type: "rpm",
  extensions: [".rpm"],
  columns: [
    { name: "epoch", type: "int32", nullable: true },
    { name: "release", type: "string", nullable: true },
  ],
  coordinates(path) {
    const rpm = parseRpmName(path.filename);
    if (rpm === undefined) return undefined;
    return {
      distribution: path.distribution,
      packageName: rpm.name,
      packageVersion: rpm.version,
      architecture: rpm.arch,
      extra: { epoch: rpm.epoch, release: rpm.release },
    };
  },
};

const MAVEN: ContentTypeSpec = {
  type: "maven",
  extensions: [".jar", ".pom"],
  columns: [
    { name: "group_id", type: "string", nullable: true },
    { name: "classifier", type: "string", nullable: true },
    { name: "packaging", type: "string", nullable: true },
  ],
  coordinates(path) {
    // The repository is the first segment after the domain; the group path follows it.
    const [repository, ...layout] = path.directories;
    const maven = repository === undefined ? undefined : parseMavenPath(layout, path.filename);
    if (repository === undefined || maven === undefined) return undefined;
    return {
      distribution: repository,
      packageName: maven.artifactId,
      packageVersion: maven.version,
      architecture: null,
      extra: { group_id: maven.groupId, classifier: maven.classifier, packaging: maven.packaging },
    };
  },
};

export const CONTENT_TYPE_SPECS: Readonly<Record<ContentType, ContentTypeSpec>> = { python: PYTHON, rpm: RPM, maven: MAVEN };

/** The columns every content type writes, then its own: upstream `content_schemas.py` as pyarrow writes it (timestamp[ns] without a zone, every column nullable). */
export const CONTENT_COMMON_COLUMNS: readonly ParquetColumn[] = [
  { name: "timestamp", type: "timestamp_ns", nullable: true },
  { name: "domain", type: "string", nullable: true },
  { name: "distribution", type: "string", nullable: true },
  { name: "package_name", type: "string", nullable: true },
  { name: "package_version", type: "string", nullable: true },
  { name: "architecture", type: "string", nullable: true },
  { name: "artifact_path", type: "string", nullable: true },
  { name: "artifact_size", type: "int64", nullable: true },
  { name: "status_code", type: "int16", nullable: true },
  { name: "cache_hit", type: "bool", nullable: true },
  { name: "user_agent", type: "string", nullable: true },
  { name: "org_id", type: "string", nullable: true },
  { name: "x_forwarded_for", type: "string", nullable: true },
  { name: "request_time_ms", type: "int32", nullable: true },
];

export function contentSchema(type: ContentType): ParquetSchema {
  return Object.freeze([...CONTENT_COMMON_COLUMNS, ...CONTENT_TYPE_SPECS[type].columns]);
}

export function parseContentType(value: string): ContentType | undefined {
  return (CONTENT_TYPES as readonly string[]).includes(value) ? (value as ContentType) : undefined;
}
