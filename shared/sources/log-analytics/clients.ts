import { getClient, type Client } from "@azure-rest/core-client";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { LogsQueryClient } from "@azure/monitor-query-logs";

export const PUBLIC_LOGS_ENDPOINT = "https://api.loganalytics.io/v1";

/** A plain-http loopback endpoint is the local fake: no credential is used against it. */
export function isLoopbackHttp(endpoint: string): boolean {
  const url = new URL(endpoint);
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/** Token scope for the endpoint's cloud (public, government, China). */
export function logsScope(endpoint: string): string {
  return `${new URL(endpoint).origin}/.default`;
}

const noToken: TokenCredential = { getToken: async () => ({ token: "local", expiresOnTimestamp: Date.now() + 3_600_000 }) };

/** The SDK's bearer policy refuses http; the local fake needs no token, only the header's presence. */
const loopbackAuthorization: PipelinePolicy = {
  name: "loopbackAuthorizationPolicy",
  sendRequest: (request, next) => {
    request.headers.set("authorization", "Bearer local");
    return next(request);
  },
};

export interface LogsClients {
  /** The SDK client, for small results (histograms). */
  readonly query: LogsQueryClient;
  /** A raw client on the same pipeline design, for reading large results as a stream. */
  readonly rest: Client;
}

export function createLogsClients(endpoint: string, credential: TokenCredential | undefined): LogsClients {
  const local = credential === undefined;
  if (!local && isLoopbackHttp(endpoint)) throw new TypeError("a credential must not be sent to a plain-http endpoint");
  if (local && !isLoopbackHttp(endpoint)) throw new TypeError(`${endpoint} is not a loopback http URL, so a credential is required`);
  const options = { endpoint, allowInsecureConnection: local, credentials: { scopes: [logsScope(endpoint)] } };
  const query = new LogsQueryClient(credential ?? noToken, options);
  const rest = getClient(endpoint, credential ?? noToken, options);
  if (local) {
    for (const pipeline of [query.pipeline, rest.pipeline]) {
      pipeline.removePolicy({ name: "bearerTokenAuthenticationPolicy" });
      pipeline.addPolicy(loopbackAuthorization);
    }
  }
  return { query, rest };
}
