import { INT32_MAX } from "../log-line.js";

/** An RPM's NEVRA from its filename: `name-[epoch:]version-release.arch.rpm`. */
export interface RpmName {
  readonly name: string;
  /** 0 when the file name carries none, as RPM itself reads it. */
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
}

// Name may hold dashes; version and release may not. The epoch, when a file carries one, prefixes the version.
const RPM = /^([A-Za-z0-9_+.][A-Za-z0-9_+.-]*)-(?:(\d+):)?([A-Za-z0-9_+.~^]+)-([A-Za-z0-9_+.~^]+)\.([A-Za-z0-9_]+)\.rpm$/;

export function parseRpmName(filename: string): RpmName | undefined {
  const m = RPM.exec(filename);
  if (m === null) return undefined;
  const epoch = m[2] === undefined ? 0 : Number(m[2]);
  if (epoch > INT32_MAX) return undefined;
  return { name: m[1] ?? "", epoch, version: m[3] ?? "", release: m[4] ?? "", arch: m[5] ?? "" };
}
