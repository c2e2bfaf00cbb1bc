/**
 * The Azure export wired as in a function app, except that state, data and
 * the job queue are in memory and the source is a tiny deterministic table:
 * fast enough to call the real handlers hundreds of times per property.
 */
import { randomUUID } from "node:crypto";
// @azure/functions is CommonJS; Node's ESM loader exposes InvocationContext only on the default export.
import azureFunctions, { type InvocationContext } from "@azure/functions";
import type { Clock, HistogramBin, JobQueue, LogSource, PartStream, TextObject } from "../../shared/core/ports.js";
import type { LogRecord } from "../../shared/core/records.js";
import { floorTo, HOUR_MS, isoInstant, type TimeRange } from "../../shared/core/time.js";
import { loadAzureExportSettings } from "../../shared/settings/azure.js";
import { createAzureExport, type AzureExport } from "../../shared/wiring/azure.js";
import { MemoryObjectStore } from "../helpers/memory-store.js";

export class MemoryJobQueue implements JobQueue {
  readonly messages: string[] = [];

  async send(messageText: string): Promise<void> {
    this.messages.push(messageText);
  }

  async pending(): Promise<number> {
    return this.messages.length;
  }
}

/** Two rows an hour, at :00:00.000 and :00:01.234, every hour of every year, in any table. */
export const ROW_OFFSETS_MS = [0, 1_234] as const;

export function rowTimes(range: TimeRange): number[] {
  const times: number[] = [];
  for (let hour = floorTo(range.startMs, HOUR_MS); hour < range.endMs; hour += HOUR_MS) {
    for (const offset of ROW_OFFSETS_MS) if (hour + offset >= range.startMs && hour + offset < range.endMs) times.push(hour + offset);
  }
  return times;
}

export const hourlySource: LogSource = {
  description: "memory:hourly",
  histogramQuery: (table, range, binMs) => `${table} ${isoInstant(range.startMs)} ${binMs}`,
  async histogram(_table: string, range: TimeRange, binMs: number): Promise<HistogramBin[]> {
    const bins = new Map<number, number>();
    for (const t of rowTimes(range)) bins.set(floorTo(t, binMs), (bins.get(floorTo(t, binMs)) ?? 0) + 1);
    return [...bins].map(([start, rows]) => ({ startMs: Math.max(start, range.startMs), endMs: Math.min(start + binMs, range.endMs), rows, bytes: rows * 40 }));
  },
  async openPart(table: string, range: TimeRange): Promise<PartStream> {
    async function* rows(): AsyncIterable<LogRecord> {
      for (const t of rowTimes(range)) yield { TimeGenerated: isoInstant(t), Table: table };
    }
    return {
      query: `${table} rows`,
      columns: [
        { name: "TimeGenerated", type: "datetime" },
        { name: "Table", type: "string" },
      ],
      rows: rows(),
    };
  },
};

/** Counts reads and listings: what a request costs on real storage, where each is a round trip. */
export class CountingStore extends MemoryObjectStore {
  calls = 0;

  override async readText(name: string): Promise<TextObject | undefined> {
    this.calls += 1;
    return super.readText(name);
  }

  override list(prefix: string): AsyncIterable<string> {
    this.calls += 1;
    return super.list(prefix);
  }
}

export interface MemoryAzure {
  readonly exporter: AzureExport;
  readonly state: CountingStore;
  readonly data: MemoryObjectStore;
  readonly queue: MemoryJobQueue;
}

export const WORKSPACE_ID = "00000000-0000-4000-8000-000000000001";

/** `settings` are environment settings added to (or replacing) a minimal valid set. */
export function memoryAzure(clock: Clock, settings: Readonly<Record<string, string>> = {}, source: LogSource = hourlySource): MemoryAzure {
  const env = {
    LOGEXPORT_WORKSPACE_ID: WORKSPACE_ID,
    LOGEXPORT_TABLES: "Heartbeat,Syslog,Custom_CL",
    LOGEXPORT_FORMAT: "jsonl.gz",
    AZURE_LOGS_ENDPOINT: "http://127.0.0.1:9/v1",
    ExportStorage: "UseDevelopmentStorage=true",
    LOGEXPORT_PART_ATTEMPTS: "1",
    ...settings,
  };
  const state = new CountingStore();
  const data = new MemoryObjectStore();
  const queue = new MemoryJobQueue();
  // One memory queue for the planner's jobs and the backfill's: the handlers under test are the same.
  const exporter: AzureExport = createAzureExport(loadAzureExportSettings(env), clock, { source, data, state, jobs: queue, backfillJobs: queue });
  return { exporter, state, data, queue };
}

export interface CapturedContext {
  readonly context: InvocationContext;
  /** Every log line of the invocation, parsed (the handlers log JSON). */
  readonly lines: Array<{ level: string; entry: Record<string, unknown> }>;
}

export function capturedContext(functionName: string, triggerMetadata: Record<string, unknown> = {}): CapturedContext {
  const lines: CapturedContext["lines"] = [];
  const context = new azureFunctions.InvocationContext({
    functionName,
    invocationId: randomUUID(),
    triggerMetadata,
    logHandler: (level, ...args) => {
      for (const arg of args) lines.push({ level, entry: typeof arg === "string" ? (JSON.parse(arg) as Record<string, unknown>) : { value: arg } });
    },
  });
  return { context, lines };
}
