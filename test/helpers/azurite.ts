/**
 * Starts a throwaway, in-memory Azurite (Blob, Queue and Table) on free ports.
 *
 * Azurite has no programmatic API (its package `main` is the VS Code
 * extension), so we spawn its CLI with the current Node binary and read the
 * ports it picked from its stdout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { Socket } from "node:net";
import { dirname, join } from "node:path";

/**
 * Azurite's published development account. The key is the fixed, public
 * development key documented by Microsoft for Azurite / the storage emulator;
 * it is not a secret and only ever works against a local emulator.
 */
export const AZURITE_DEV_ACCOUNT_NAME = "devstoreaccount1";
export const AZURITE_DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const HOST = "127.0.0.1";
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 8_000;

export interface AzuriteInstance {
  /** Account URL of the Blob service, e.g. `http://127.0.0.1:PORT/devstoreaccount1`. */
  blobUrl: string;
  /** Account URL of the Queue service. */
  queueUrl: string;
  /** Account URL of the Table service. */
  tableUrl: string;
  /** Full connection string (dev account, explicit Blob/Queue/Table endpoints). */
  connectionString: string;
  /** Stops Azurite (SIGTERM, SIGKILL after 5 s) and waits for the process to exit. Idempotent. */
  stop(): Promise<void>;
}

type Service = "Blob" | "Queue" | "Table";
const SERVICES: readonly Service[] = ["Blob", "Queue", "Table"];
const LISTENING_LINE = /Azurite (Blob|Queue|Table) service is successfully listening at (https?:\/\/\S+?)\/?\s*$/;

/**
 * Preloaded into the Azurite process: exit when our stdin pipe closes, i.e.
 * when this (parent) process dies for any reason, even SIGKILL, where no
 * 'exit' handler runs. `unref` so the watcher alone does not keep Azurite alive
 * after a SIGTERM (Azurite closes its servers on SIGTERM but never calls exit).
 */
const PARENT_WATCHDOG =
  'process.stdin.on("end",()=>process.exit(0));' + 'process.stdin.on("error",()=>process.exit(0));' + "process.stdin.resume();process.stdin.unref();";

export function resolveAzuriteCli(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("azurite/package.json");
  const cli = join(dirname(packageJson), "dist", "src", "azurite.js");
  if (!existsSync(cli)) {
    throw new Error(`Azurite CLI not found at ${cli} (is the azurite dev dependency installed?)`);
  }
  return cli;
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? `…${text.slice(-OUTPUT_TAIL_CHARS)}` : text;
}

function buildConnectionString(urls: Record<Service, string>): string {
  return `${[
    "DefaultEndpointsProtocol=http",
    `AccountName=${AZURITE_DEV_ACCOUNT_NAME}`,
    `AccountKey=${AZURITE_DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${urls.Blob}`,
    `QueueEndpoint=${urls.Queue}`,
    `TableEndpoint=${urls.Table}`,
  ].join(";")};`;
}

/** Do not let the child or its pipes keep the parent's event loop alive. */
function unrefChild(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startAzurite(options: { signal?: AbortSignal } = {}): Promise<AzuriteInstance> {
  const { signal } = options;
  signal?.throwIfAborted();

  const cli = resolveAzuriteCli();
  const args = [
    "--import",
    `data:text/javascript,${encodeURIComponent(PARENT_WATCHDOG)}`,
    cli,
    "--inMemoryPersistence",
    // --silent only turns off the access log; the "successfully listening" lines are still printed.
    "--silent",
    "--disableTelemetry",
    // The SDKs send a newer x-ms-version than Azurite 3.35 accepts.
    "--skipApiVersionCheck",
    "--blobHost",
    HOST,
    "--queueHost",
    HOST,
    "--tableHost",
    HOST,
    "--blobPort",
    "0",
    "--queuePort",
    "0",
    "--tablePort",
    "0",
  ];

  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
  const killOnParentExit = (): void => {
    child.kill("SIGKILL");
  };
  process.on("exit", killOnParentExit);

  let stdout = "";
  let stderr = "";
  let stdoutLineBuffer = "";
  const urls: Partial<Record<Service, string>> = {};

  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = tail(stderr + chunk);
  });

  const ready = new Promise<Record<Service, string>>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      child.off("exit", onExit);
      child.off("error", onError);
      if (error) {
        reject(error);
        return;
      }
      resolve({ Blob: urls.Blob ?? "", Queue: urls.Queue ?? "", Table: urls.Table ?? "" });
    };
    const describeOutput = (): string => `\n--- azurite stderr ---\n${stderr || "(empty)"}\n--- azurite stdout ---\n${stdout || "(empty)"}`;
    const timer = setTimeout(() => {
      finish(new Error(`Azurite did not report all services listening within ${STARTUP_TIMEOUT_MS} ms.${describeOutput()}`));
    }, STARTUP_TIMEOUT_MS);
    const onAbort = (): void => {
      finish(signal?.reason instanceof Error ? signal.reason : new Error("Azurite start aborted"));
    };
    const onExit = (code: number | null, sig: NodeJS.Signals | null): void => {
      finish(new Error(`Azurite exited during startup (code ${code ?? "null"}, signal ${sig ?? "none"}).${describeOutput()}`));
    };
    const onError = (error: Error): void => {
      finish(new Error(`Failed to spawn Azurite: ${error.message}${describeOutput()}`, { cause: error }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.once("exit", onExit);
    child.once("error", onError);

    child.stdout?.on("data", (chunk: string) => {
      stdout = tail(stdout + chunk);
      if (settled) return;
      stdoutLineBuffer += chunk;
      const lines = stdoutLineBuffer.split(/\r?\n/);
      stdoutLineBuffer = lines.pop() ?? "";
      for (const line of lines) {
        const match = LISTENING_LINE.exec(line);
        if (match?.[1] && match[2]) urls[match[1] as Service] = match[2];
      }
      if (SERVICES.every((service) => urls[service] !== undefined)) finish(undefined);
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const exited = waitForExit(child);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const escalate = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(escalate);
      }
      process.off("exit", killOnParentExit);
      child.stdin?.destroy();
      child.stdout?.destroy();
      child.stderr?.destroy();
    })();
    return stopping;
  };

  let serviceUrls: Record<Service, string>;
  try {
    serviceUrls = await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  unrefChild(child);

  const accountUrl = (service: Service): string => `${serviceUrls[service]}/${AZURITE_DEV_ACCOUNT_NAME}`;
  const accountUrls: Record<Service, string> = {
    Blob: accountUrl("Blob"),
    Queue: accountUrl("Queue"),
    Table: accountUrl("Table"),
  };
  return {
    blobUrl: accountUrls.Blob,
    queueUrl: accountUrls.Queue,
    tableUrl: accountUrls.Table,
    connectionString: buildConnectionString(accountUrls),
    stop,
  };
}
