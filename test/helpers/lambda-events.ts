import type { Context, ScheduledEvent } from "aws-lambda";

/** What an EventBridge rule delivers at timeMs: `time` to the second, as the service writes it. */
export function scheduledEvent(timeMs: number): ScheduledEvent {
  return {
    version: "0",
    id: "e",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "1",
    time: new Date(timeMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: "us-east-1",
    resources: [],
    detail: {},
  };
}

/** The two members of the Lambda context the handler reads. */
export function lambdaContext(awsRequestId: string, remainingMs = 900_000): Context {
  return { awsRequestId, getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}
