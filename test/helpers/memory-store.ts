import { createHash } from "node:crypto";
import type { StateStore, StoredObject, TextObject, WriteCondition, WriteObjectOptions } from "../../shared/core/ports.js";

/** An in-memory ObjectStore for unit tests of the engine (integration tests use Azurite). */
export class MemoryObjectStore implements StateStore {
  readonly location = "memory://";
  readonly objects = new Map<string, { data: Buffer; version: number }>();
  private version = 0;

  async writeObject(name: string, body: AsyncIterable<Uint8Array>, options: WriteObjectOptions): Promise<StoredObject> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    const data = Buffer.concat(chunks);
    options.beforeCommit?.();
    this.objects.set(name, { data, version: ++this.version });
    return { name, bytes: data.length, sha256: createHash("sha256").update(data).digest("hex") };
  }

  async readText(name: string): Promise<TextObject | undefined> {
    const found = this.objects.get(name);
    return found === undefined ? undefined : { text: found.data.toString("utf8"), etag: `v${found.version}` };
  }

  async writeText(name: string, text: string, condition?: WriteCondition): Promise<string | undefined> {
    const found = this.objects.get(name);
    if (condition !== undefined && ("ifNoneMatch" in condition ? found !== undefined : found === undefined || `v${found.version}` !== condition.ifMatch))
      return undefined;
    this.objects.set(name, { data: Buffer.from(text), version: ++this.version });
    return `v${this.version}`;
  }

  async appendLine(name: string, line: string, header: string): Promise<void> {
    const found = this.objects.get(name);
    const text = found === undefined ? `${header}\n${line}\n` : `${found.data.toString("utf8")}${line}\n`;
    this.objects.set(name, { data: Buffer.from(text), version: ++this.version });
  }

  async *list(prefix: string): AsyncIterable<string> {
    yield* [...this.objects.keys()].filter((name) => name.startsWith(prefix)).sort();
  }

  async delete(name: string): Promise<void> {
    this.objects.delete(name);
  }

  names(prefix = ""): string[] {
    return [...this.objects.keys()].filter((name) => name.startsWith(prefix)).sort();
  }
}
