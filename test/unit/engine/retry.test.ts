/** Seed 000's retry settings: part attempts, backoff base and cap, the same through the environment, a CLI flag or Terraform. */
import { describe, expect, it } from "vitest";
import { parseFlags } from "../../../cli/args.js";
import { azureExportFromFlags, QUERY_FLAGS } from "../../../cli/common.js";
import { LogExportError } from "../../../shared/core/errors.js";
import { backoffMs, MAX_RETRY_AFTER_MS, retryDelayMs, withRetries } from "../../../shared/engine/retry.js";
import { retryAfterMs } from "../../../shared/sources/log-analytics/errors.js";
import { loadAwsExportSettings } from "../../../shared/settings/aws.js";
import { loadAzureExportSettings } from "../../../shared/settings/azure.js";
import { capturedIO } from "../../helpers/cli-io.js";

const AZURE = { LOGEXPORT_WORKSPACE_ID: "00000000-0000-4000-8000-000000000001", LOGEXPORT_TABLES: "AppTraces", ExportStorage: "UseDevelopmentStorage=true" };

describe("backoff with a cap", () => {
  it("doubles from the base with equal jitter and stops doubling at the cap", () => {
    const policy = { attempts: 10, baseDelayMs: 1000, maxDelayMs: 3000 };
    for (let i = 0; i < 200; i += 1) {
      expect(backoffMs(policy, 1)).toBeGreaterThanOrEqual(500);
      expect(backoffMs(policy, 1)).toBeLessThanOrEqual(1000);
      expect(backoffMs(policy, 2)).toBeGreaterThanOrEqual(1000);
      expect(backoffMs(policy, 2)).toBeLessThanOrEqual(2000);
      for (const attempt of [3, 5, 9]) {
        expect(backoffMs(policy, attempt)).toBeGreaterThanOrEqual(1500);
        expect(backoffMs(policy, attempt)).toBeLessThanOrEqual(3000);
      }
    }
  });

  it("tries a retriable step exactly the configured number of times", async () => {
    let tries = 0;
    const failing = () => {
      tries += 1;
      return Promise.reject(new LogExportError("throttled", { retriable: true }));
    };
    await expect(withRetries({ attempts: 4, baseDelayMs: 1, maxDelayMs: 2 }, failing, () => undefined)).rejects.toThrow(/throttled/);
    expect(tries).toBe(4);
  });
});

describe("LOGEXPORT_PART_ATTEMPTS, LOGEXPORT_RETRY_BASE_MS, LOGEXPORT_RETRY_MAX_MS", () => {
  const retry = (s: { partAttempts: number; retryBaseMs: number; retryMaxMs: number }) => [s.partAttempts, s.retryBaseMs, s.retryMaxMs];

  it("default to 3 tries, 1 s and 30 s on both clouds", () => {
    expect(retry(loadAzureExportSettings(AZURE))).toEqual([3, 1000, 30_000]);
    expect(retry(loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: "/g", LOGEXPORT_S3_BUCKET: "exports" }))).toEqual([3, 1000, 30_000]);
  });

  it("give the same settings from the environment and from the CLI's flags", () => {
    const env = { ...AZURE, LOGEXPORT_PART_ATTEMPTS: "5", LOGEXPORT_RETRY_BASE_MS: "250", LOGEXPORT_RETRY_MAX_MS: "4000" };
    const fromEnv = loadAzureExportSettings(env);
    const flags = parseFlags(
      ["--part-attempts", "5", "--retry-base-ms", "250", "--retry-max-ms", "4000", "--start", "-1h", "--tables", "AppTraces"],
      [...QUERY_FLAGS, { name: "tables", description: "tables" }],
    );
    const fromFlags = azureExportFromFlags(flags, capturedIO({ env: AZURE }), "tables", {
      storage: { kind: "directory", path: "/tmp/unused" },
      stateInDataContainer: true,
    });
    expect(retry(fromFlags.settings)).toEqual(retry(fromEnv));
    expect(retry(fromEnv)).toEqual([5, 250, 4000]);
  });

  it("refuse a cap below the base, naming both settings (and the flags on the command line)", () => {
    expect(() => loadAzureExportSettings({ ...AZURE, LOGEXPORT_RETRY_BASE_MS: "2000", LOGEXPORT_RETRY_MAX_MS: "1000" })).toThrow(
      /LOGEXPORT_RETRY_MAX_MS \(1000\) must be at least LOGEXPORT_RETRY_BASE_MS \(2000\)/,
    );
    expect(() => loadAwsExportSettings({ LOGEXPORT_LOG_GROUPS: "/g", LOGEXPORT_S3_BUCKET: "exports", LOGEXPORT_RETRY_MAX_MS: "10" })).toThrow(
      /LOGEXPORT_RETRY_MAX_MS \(10\) must be at least LOGEXPORT_RETRY_BASE_MS \(1000\)/,
    );
    const flags = parseFlags(
      ["--retry-base-ms", "2000", "--retry-max-ms", "1000", "--start", "-1h", "--tables", "AppTraces"],
      [...QUERY_FLAGS, { name: "tables", description: "tables" }],
    );
    expect(() =>
      azureExportFromFlags(flags, capturedIO({ env: AZURE }), "tables", { storage: { kind: "directory", path: "/tmp/unused" }, stateInDataContainer: true }),
    ).toThrow(/--retry-max-ms \(1000\) must be at least --retry-base-ms \(2000\)/);
  });
});

describe("Retry-After", () => {
  it("waits at least what the service asked, plus up to a quarter at random, and the backoff when that is longer", () => {
    const policy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };
    const throttled = new LogExportError("429", { retriable: true, retryAfterMs: 20_000 });
    for (let i = 0; i < 200; i += 1) {
      const wait = retryDelayMs(policy, 1, throttled);
      expect(wait).toBeGreaterThanOrEqual(20_000);
      expect(wait).toBeLessThanOrEqual(25_000);
    }
    const brief = new LogExportError("429", { retriable: true, retryAfterMs: 100 });
    expect(retryDelayMs(policy, 4, brief)).toBeGreaterThanOrEqual(4_000);
    expect(retryDelayMs(policy, 1, new LogExportError("503", { retriable: true }))).toBeLessThanOrEqual(1_000);
    expect(retryDelayMs(policy, 1, new LogExportError("429", { retriable: true, retryAfterMs: 86_400_000 }))).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS * 1.25);
  });

  it("reads the header as seconds or as an HTTP date", () => {
    expect(retryAfterMs("7")).toBe(7_000);
    expect(retryAfterMs("Wed, 21 Oct 2026 07:28:30 GMT", Date.UTC(2026, 9, 21, 7, 28, 0))).toBe(30_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
  });
});
