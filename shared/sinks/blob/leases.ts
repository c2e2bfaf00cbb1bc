import { RestError, type ContainerClient } from "@azure/storage-blob";
import { StorageError } from "../../core/errors.js";
import type { LeaseStore } from "../../core/ports.js";

function status(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

function failure(what: string, name: string, error: unknown): StorageError {
  return new StorageError(`${what} the lease on ${name} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`, {
    retriable: true,
    cause: error,
  });
}

/** Blob leases on empty block blobs of one container; a blob is created the first time its lease is asked for. */
export class BlobLeaseStore implements LeaseStore {
  constructor(private readonly container: ContainerClient) {}

  async tryAcquire(name: string, durationSeconds: number): Promise<string | undefined> {
    const blob = this.container.getBlockBlobClient(name);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const lease = blob.getBlobLeaseClient();
      try {
        await lease.acquireLease(durationSeconds);
        return lease.leaseId;
      } catch (error) {
        // 409: another holder has it.
        if (status(error) === 409) return undefined;
        if (status(error) !== 404 || attempt > 0) throw failure("acquiring", name, error);
      }
      try {
        await blob.upload("", 0, { conditions: { ifNoneMatch: "*" } });
      } catch (error) {
        // 409: created meanwhile by another instance (or leased already); 412: the same.
        if (status(error) !== 409 && status(error) !== 412) throw failure("creating the object for", name, error);
      }
    }
    return undefined;
  }

  async renew(name: string, leaseId: string): Promise<void> {
    try {
      await this.container.getBlobClient(name).getBlobLeaseClient(leaseId).renewLease();
    } catch (error) {
      throw failure("renewing", name, error);
    }
  }

  async release(name: string, leaseId: string): Promise<void> {
    try {
      await this.container.getBlobClient(name).getBlobLeaseClient(leaseId).releaseLease();
    } catch (error) {
      throw failure("releasing", name, error);
    }
  }
}
