import { parentPort, workerData } from "node:worker_threads";
import { sanitizeBatch, StrictLineError } from "./lines.js";
import type { WorkerInput, WorkerReply, WorkerRequest } from "./protocol.js";
import { createSanitizer } from "./setup.js";

// workerData is what the pool built from a WorkerInput; it crossed the thread boundary as a structured clone.
const input = workerData as WorkerInput;
const port = parentPort;
if (port === null) throw new Error("cli/sanitize/worker.ts runs as a worker thread only");
const sanitizer = createSanitizer(input.setup);

port.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const result = sanitizeBatch(sanitizer, request.batch, input.options);
    reply = { id: request.id, output: result.output, lines: result.lines, counts: sanitizer.counts() };
  } catch (error) {
    if (!(error instanceof StrictLineError)) throw error;
    reply = { id: request.id, strictLine: error.lineInBatch, counts: sanitizer.counts() };
  }
  port.postMessage(reply, "output" in reply ? [reply.output.buffer] : []);
});
