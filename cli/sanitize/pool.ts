import { Worker } from "node:worker_threads";
import { StrictLineError } from "./lines.js";
import { sumCounts, type BatchProcessor, type ProcessedBatch } from "./processor.js";
import type { WorkerInput, WorkerReply, WorkerRequest } from "./protocol.js";

interface PendingBatch {
  readonly resolve: (batch: ProcessedBatch) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, PendingBatch>;
  counts: Readonly<Record<string, number>>;
}

/** Batches queued per worker before it counts as busy: one being sanitized, one ready to start. */
const QUEUE_PER_WORKER = 2;

/** Worker threads, each with its own sanitizer; a batch goes to the least busy one, results come back per batch. */
export class WorkerPool implements BatchProcessor {
  private readonly slots: Slot[];
  private nextId = 0;
  private failure: Error | undefined;

  constructor(
    readonly threads: number,
    input: WorkerInput,
  ) {
    this.slots = Array.from({ length: threads }, () => this.startWorker(input));
  }

  /** True while some worker has fewer than QUEUE_PER_WORKER batches. */
  hasRoom(): boolean {
    return this.slots.some((slot) => slot.pending.size < QUEUE_PER_WORKER);
  }

  process(batch: Uint8Array<ArrayBuffer>): Promise<ProcessedBatch> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const slot = this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const request: WorkerRequest = { id, batch };
      slot.worker.postMessage(request, [batch.buffer]);
    });
  }

  counts(): Readonly<Record<string, number>> {
    return sumCounts(this.slots.map((slot) => slot.counts));
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private startWorker(input: WorkerInput): Slot {
    // execArgv: [] because worker-entry.mjs registers tsx itself; an inherited `--import tsx` would only add start-up time.
    const worker = new Worker(new URL("./worker-entry.mjs", import.meta.url), { workerData: input, execArgv: [] });
    const slot: Slot = { worker, pending: new Map(), counts: {} };
    worker.on("message", (reply: WorkerReply) => {
      slot.counts = reply.counts;
      const pending = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      if ("output" in reply) pending?.resolve({ output: reply.output, lines: reply.lines });
      else pending?.reject(new StrictLineError(reply.strictLine));
    });
    worker.on("error", (error) => this.fail(slot, error));
    worker.on("exit", (code) => {
      if (slot.pending.size > 0) this.fail(slot, new Error(`a sanitizer worker thread exited with code ${code} with ${slot.pending.size} batches under way`));
    });
    return slot;
  }

  private fail(slot: Slot, error: Error): void {
    this.failure ??= error;
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
  }
}
