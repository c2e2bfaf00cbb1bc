import type { StateStore, StoredObject, TextObject, WriteCondition, WriteObjectOptions } from "../core/ports.js";

/** Another store's objects under a fixed prefix, e.g. state kept beside the data in one container. */
export class PrefixedObjectStore implements StateStore {
  readonly location: string;

  constructor(
    private readonly inner: StateStore,
    private readonly prefix: string,
  ) {
    this.location = `${inner.location}/${prefix}`;
  }

  writeObject(name: string, body: AsyncIterable<Uint8Array>, options: WriteObjectOptions): Promise<StoredObject> {
    return this.inner.writeObject(this.prefix + name, body, options).then((stored) => ({ ...stored, name }));
  }

  readText(name: string): Promise<TextObject | undefined> {
    return this.inner.readText(this.prefix + name);
  }

  writeText(name: string, text: string, condition?: WriteCondition): Promise<string | undefined> {
    return this.inner.writeText(this.prefix + name, text, condition);
  }

  appendLine(name: string, line: string, header: string): Promise<void> {
    return this.inner.appendLine(this.prefix + name, line, header);
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const name of this.inner.list(this.prefix + prefix)) yield name.slice(this.prefix.length);
  }

  delete(name: string): Promise<void> {
    return this.inner.delete(this.prefix + name);
  }
}
