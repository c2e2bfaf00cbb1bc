/**
 * How a CloudWatch event carries its application line, detected per event: the line itself (`bare`),
 * a JSON envelope holding it in `message` (OpenShift logging, Vector) or in `log` (Fluent Bit,
 * Container Insights). A JSON object with neither is itself the line (nginx's JSON log format).
 */
export const ENVELOPE_SHAPES = ["bare", "message", "log"] as const;
export type EnvelopeShape = (typeof ENVELOPE_SHAPES)[number];

export interface EnvelopedLine {
  readonly shape: EnvelopeShape;
  /** Without the trailing newline a container runtime adds. */
  readonly line: string;
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines an event may hold, most likely first: an envelope's `message`, then its `log` (an event
 * with both is read by whichever parses), else the message itself. A broken envelope is a bare line
 * that no access-log format parses, so it is counted as malformed with the event as its sample.
 */
export function envelopedLines(message: string): readonly EnvelopedLine[] {
  const object = message.startsWith("{") ? jsonObject(message) : undefined;
  const lines: EnvelopedLine[] = [];
  if (object !== undefined) {
    for (const shape of ["message", "log"] as const) {
      const value = object[shape];
      if (typeof value === "string") lines.push({ shape, line: value.trimEnd() });
    }
  }
  return lines.length > 0 ? lines : [{ shape: "bare", line: message.trimEnd() }];
}
