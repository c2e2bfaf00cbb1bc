/**
 * In-memory stand-ins for Blob Storage and the Storage queues of the capacity simulation: they behave
 * as the engine needs (conditional writes, prefix listings, visibility timeouts) and count the
 * billable operations each call would make. Data objects keep only the row keys they hold, for the
 * row audit.
 */
import type {
  JobQueue,
  RecordEncoder,
  SendOptions,
  StateStore,
  StoredObject,
  TextObject,
  WriteCondition,
  WriteObjectOptions,
} from "../../shared/core/ports.js";
import type { Column, LogRecord } from "../../shared/core/records.js";
import type { VirtualTime } from "./virtual-time.js";

export interface StorageOps {
  writes: number;
  reads: number;
  lists: number;
  queue: number;
}

/** Names indexed under every ancestor folder, so a prefix listing costs what it returns. */
class NameIndex {
  private readonly byFolder = new Map<string, Set<string>>();

  private folders(name: string): string[] {
    const out: string[] = [];
    for (let i = name.indexOf("/"); i >= 0; i = name.indexOf("/", i + 1)) out.push(name.slice(0, i + 1));
    return out.length === 0 ? [""] : out;
  }

  add(name: string): void {
    for (const folder of this.folders(name)) {
      const set = this.byFolder.get(folder) ?? new Set<string>();
      if (set.size === 0) this.byFolder.set(folder, set);
      set.add(name);
    }
  }

  delete(name: string): void {
    for (const folder of this.folders(name)) this.byFolder.get(folder)?.delete(name);
  }

  list(prefix: string): string[] {
    const folder = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    return [...(this.byFolder.get(folder) ?? [])].filter((n) => n.startsWith(prefix)).sort();
  }
}

/** Each record as its `Key` column on one line: the simulation's file format (what is written, not how, is under test). */
export const keyLinesEncoder: RecordEncoder = {
  extension: "keys",
  contentType: "text/plain",
  async *encode(records: AsyncIterable<LogRecord>, _columns: readonly Column[]): AsyncIterable<Uint8Array> {
    let text = "";
    for await (const record of records) text += `${String(record.Key)}\n`;
    yield Buffer.from(text);
  },
};

/** Manifests, watermarks, ledgers and data objects in memory. */
export class SimStore implements StateStore {
  readonly location = "simulated://";
  private readonly texts = new Map<string, { text: string; version: number }>();
  private readonly objects = new Map<string, readonly string[]>();
  private readonly names = new NameIndex();
  private version = 0;
  /** Row key → how many committed objects hold it. */
  readonly rows = new Map<string, number>();
  ledgerLines = 0;

  constructor(
    readonly ops: StorageOps,
    /** Write operations per data object (its blocks and the commit). */
    private readonly writesPerObject: number,
  ) {}

  async writeObject(name: string, body: AsyncIterable<Uint8Array>, options: WriteObjectOptions): Promise<StoredObject> {
    let text = "";
    for await (const chunk of body) text += Buffer.from(chunk).toString("utf8");
    options.beforeCommit?.();
    this.ops.writes += this.writesPerObject;
    // Replaced in one step, as a blob commit replaces a blob: two workers committing the same name at once
    // (a window's duplicate jobs) leave one object, not the rows of both.
    this.forget(name);
    const keys = text === "" ? [] : text.slice(0, -1).split("\n");
    this.objects.set(name, keys);
    this.names.add(name);
    for (const key of keys) this.rows.set(key, (this.rows.get(key) ?? 0) + 1);
    return { name, bytes: text.length, sha256: "" };
  }

  async readText(name: string): Promise<TextObject | undefined> {
    this.ops.reads += 1;
    const found = this.texts.get(name);
    return found === undefined ? undefined : { text: found.text, etag: `v${found.version}` };
  }

  async writeText(name: string, text: string, condition?: WriteCondition): Promise<string | undefined> {
    this.ops.writes += 1;
    const found = this.texts.get(name);
    if (condition !== undefined && ("ifNoneMatch" in condition ? found !== undefined : found === undefined || `v${found.version}` !== condition.ifMatch))
      return undefined;
    this.version += 1;
    this.texts.set(name, { text, version: this.version });
    this.names.add(name);
    return `v${this.version}`;
  }

  async appendLine(): Promise<void> {
    this.ops.writes += 1;
    this.ledgerLines += 1;
  }

  async *list(prefix: string): AsyncIterable<string> {
    const names = this.names.list(prefix);
    this.ops.lists += Math.max(1, Math.ceil(names.length / 5_000));
    yield* names;
  }

  async delete(name: string): Promise<void> {
    this.forget(name);
  }

  private forget(name: string): void {
    const keys = this.objects.get(name);
    if (keys !== undefined) {
      for (const key of keys) this.rows.set(key, (this.rows.get(key) ?? 1) - 1);
      this.objects.delete(name);
    }
    if (this.texts.delete(name) || keys !== undefined) this.names.delete(name);
  }
}

interface Message {
  readonly text: string;
  dequeueCount: number;
}

/** A Storage queue as the Functions host sees it: FIFO among visible messages, invisible while a handler runs, back after a failure. */
export class SimQueue implements JobQueue {
  private readonly visible: Message[] = [];
  private head = 0;
  /** Messages invisible (delayed, or being handled): counted by pending(), as the service's approximate count does. */
  private invisible = 0;
  poisoned = 0;

  constructor(
    readonly name: string,
    private readonly time: VirtualTime,
    private readonly ops: StorageOps,
  ) {}

  get length(): number {
    return this.visible.length - this.head + this.invisible;
  }

  async send(messageText: string, options: SendOptions = {}): Promise<void> {
    this.ops.queue += 1;
    const message = { text: messageText, dequeueCount: 0 };
    if (options.delaySeconds !== undefined && options.delaySeconds > 0) this.later(message, options.delaySeconds * 1000);
    else this.visible.push(message);
  }

  async pending(): Promise<number> {
    this.ops.queue += 1;
    return this.length;
  }

  private later(message: Message, ms: number): void {
    this.invisible += 1;
    this.time.after(ms, () => {
      this.invisible -= 1;
      this.visible.push(message);
    });
  }

  /** One visible message, made invisible while handled; undefined when none is visible. */
  receive(): Message | undefined {
    this.ops.queue += 1;
    if (this.head >= this.visible.length) return undefined;
    const message = this.visible[this.head] as Message;
    this.head += 1;
    if (this.head > 4_096 && this.head * 2 > this.visible.length) {
      this.visible.splice(0, this.head);
      this.head = 0;
    }
    message.dequeueCount += 1;
    this.invisible += 1;
    return message;
  }

  complete(): void {
    this.ops.queue += 1;
    this.invisible -= 1;
  }

  /** The host makes a failed message visible again after host.json's visibilityTimeout, or poisons it after maxDequeueCount. */
  fail(message: Message, visibilityMs: number, maxDequeueCount: number): void {
    this.invisible -= 1;
    if (message.dequeueCount >= maxDequeueCount) {
      this.ops.queue += 2;
      this.poisoned += 1;
      return;
    }
    this.ops.queue += 1;
    this.later(message, visibilityMs);
  }
}
