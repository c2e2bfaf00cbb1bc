import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { appendFile, link, mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { StorageError } from "../../core/errors.js";
import type { StateStore, StoredObject, TextObject, WriteCondition, WriteObjectOptions } from "../../core/ports.js";

function etagOf(text: string): string {
  return `"${createHash("sha256").update(text).digest("hex").slice(0, 32)}"`;
}

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

function isMissing(error: unknown): boolean {
  return errorCode(error) === "ENOENT";
}

/** A local directory as an ObjectStore: files appear complete (written aside, then renamed) or not at all. */
export class LocalObjectStore implements StateStore {
  readonly location: string;

  constructor(private readonly root: string) {
    this.location = root;
  }

  private path(name: string): string {
    if (name.split("/").some((segment) => segment === ".." || segment === "") || name.startsWith("/"))
      throw new StorageError(`object name ${JSON.stringify(name)} is not a relative path`);
    return join(this.root, ...name.split("/"));
  }

  private temporary(path: string): string {
    return `${path}.${randomBytes(6).toString("hex")}.partial`;
  }

  async writeObject(name: string, body: AsyncIterable<Uint8Array>, options: WriteObjectOptions): Promise<StoredObject> {
    const path = this.path(name);
    const tmp = this.temporary(path);
    await mkdir(dirname(path), { recursive: true });
    const hash = createHash("sha256");
    let bytes = 0;
    try {
      await pipeline(
        body,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            bytes += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tmp),
      );
      options.beforeCommit?.();
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    return { name, bytes, sha256: hash.digest("hex") };
  }

  async readText(name: string): Promise<TextObject | undefined> {
    try {
      const text = await readFile(this.path(name), "utf8");
      return { text, etag: etagOf(text) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async writeText(name: string, text: string, condition?: WriteCondition): Promise<string | undefined> {
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    const tmp = this.temporary(path);
    await writeFile(tmp, text, "utf8");
    try {
      if (condition !== undefined && "ifNoneMatch" in condition) {
        // link() fails when the target exists: an atomic create-if-absent.
        const created = await link(tmp, path).then(
          () => true,
          (error: unknown) => {
            if (errorCode(error) === "EEXIST") return false;
            throw error;
          },
        );
        if (!created) return undefined;
      } else {
        if (condition !== undefined && (await this.readText(name))?.etag !== condition.ifMatch) return undefined;
        await rename(tmp, path);
      }
    } finally {
      await rm(tmp, { force: true });
    }
    return etagOf(text);
  }

  async appendLine(name: string, line: string, header: string): Promise<void> {
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${header}\n${line}\n`, "utf8");
      await handle.close();
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
      await appendFile(path, `${line}\n`, "utf8");
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const slash = prefix.lastIndexOf("/");
    const directory = slash < 0 ? this.root : this.path(prefix.slice(0, slash));
    let entries;
    try {
      entries = await readdir(directory, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const names = entries
      .filter((entry) => entry.isFile() && !entry.name.endsWith(".partial"))
      .map((entry) => relative(this.root, join(entry.parentPath, entry.name)).split(sep).join("/"))
      .filter((name) => name.startsWith(prefix))
      .sort();
    yield* names;
  }

  async delete(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
  }
}
