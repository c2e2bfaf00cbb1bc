/** A wheel's filename, by the binary distribution format's grammar: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`. */
export interface WheelName {
  readonly name: string;
  readonly version: string;
  /** Starts with a digit when present. */
  readonly buildTag: string | null;
  readonly pythonTag: string;
  readonly abiTag: string;
  readonly platformTag: string;
}

const WHEEL =
  /^([A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?)-([A-Za-z0-9_.!+]+)(?:-(\d[A-Za-z0-9_.]*))?-([A-Za-z0-9_.]+)-([A-Za-z0-9_.]+)-([A-Za-z0-9_.]+)\.whl(?:\.metadata)?$/;

/** Wheels and their PEP 658 `.whl.metadata` files; undefined for anything else (counted, never guessed). */
export function parseWheelName(filename: string): WheelName | undefined {
  const m = WHEEL.exec(filename);
  if (m === null) return undefined;
  return { name: m[1] ?? "", version: m[2] ?? "", buildTag: m[3] ?? null, pythonTag: m[4] ?? "", abiTag: m[5] ?? "", platformTag: m[6] ?? "" };
}
