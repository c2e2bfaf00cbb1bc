import type { HttpRequest } from "@azure/functions";

/** Largest request body an HTTP function reads; a larger one is refused before any of it is parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The body as text, or undefined when it is larger than `maxBytes`: refused on its declared
 * Content-Length, else read chunk by chunk and abandoned as soon as it passes the bound.
 */
export async function readBoundedText(request: HttpRequest, maxBytes: number = MAX_BODY_BYTES): Promise<string | undefined> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (declared > maxBytes) return undefined;
  if (request.body === null) return "";
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
