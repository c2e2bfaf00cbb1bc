import type { LineOptions } from "./lines.js";
import type { SanitizerSetup } from "./setup.js";

/** What the pool hands each worker thread at start (workerData). */
export interface WorkerInput {
  readonly setup: SanitizerSetup;
  readonly options: LineOptions;
}

export interface WorkerRequest {
  readonly id: number;
  /** Whole lines as UTF-8, transferred rather than copied. */
  readonly batch: Uint8Array<ArrayBuffer>;
}

/** `counts` is the worker's running total per rule, so the latest reply of each worker is its share of the summary. */
export type WorkerReply =
  | { readonly id: number; readonly output: Uint8Array<ArrayBuffer>; readonly lines: number; readonly counts: Readonly<Record<string, number>> }
  | { readonly id: number; readonly strictLine: number; readonly counts: Readonly<Record<string, number>> };
