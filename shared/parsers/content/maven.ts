/** A Maven artifact from the repository layout: `<group path>/<artifactId>/<version>/<artifactId>-<version>[-<classifier>].<jar|pom>`. */
export interface MavenCoordinates {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly classifier: string | null;
  readonly packaging: "jar" | "pom";
}

const FILE = /^(.+)\.(jar|pom)$/;
const SEGMENT = /^[A-Za-z0-9_.+-]+$/;

/**
 * `directories` are the path segments between the distribution's first segment and the file
 * (group path, artifact id, version). The file must start with `<artifactId>-<version>`; what is
 * left before the extension is `-<classifier>` or nothing. Undefined otherwise.
 */
export function parseMavenPath(directories: readonly string[], filename: string): MavenCoordinates | undefined {
  const file = FILE.exec(filename);
  if (file === null || directories.length < 3 || !directories.every((d) => SEGMENT.test(d))) return undefined;
  const version = directories.at(-1) ?? "";
  const artifactId = directories.at(-2) ?? "";
  const stem = `${artifactId}-${version}`;
  const base = file[1] ?? "";
  if (!base.startsWith(stem)) return undefined;
  const rest = base.slice(stem.length);
  if (rest !== "" && !/^-[A-Za-z0-9_.+-]+$/.test(rest)) return undefined;
  return {
    groupId: directories.slice(0, -2).join("."),
    artifactId,
    version,
    classifier: rest === "" ? null : rest.slice(1),
    packaging: file[2] === "pom" ? "pom" : "jar",
  };
}
