/**
 * Vitest global setup: one in-memory Azurite for the whole run, shared by all
 * test files (isolate per test with `uniqueName()` containers and queues).
 * Tests read the endpoints with `inject("azuriteConnectionString")` etc.
 */
import type { TestProject } from "vitest/node";
import { startAzurite } from "./azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string for Azurite's dev account with explicit Blob/Queue/Table endpoints. */
    azuriteConnectionString: string;
    /** Blob account URL, e.g. `http://127.0.0.1:PORT/devstoreaccount1`. */
    azuriteBlobUrl: string;
    /** Queue account URL, e.g. `http://127.0.0.1:PORT/devstoreaccount1`. */
    azuriteQueueUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  project.provide("azuriteBlobUrl", azurite.blobUrl);
  project.provide("azuriteQueueUrl", azurite.queueUrl);
  return async () => {
    await azurite.stop();
  };
}
