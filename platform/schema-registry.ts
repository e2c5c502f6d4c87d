import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export { SchemaRegistry };

/** What the client's middleware sees of a request: enough to give it a deadline. */
interface TimedRequest {
  timeout(): number | undefined;
  enhance(extras: { timeout: number }): TimedRequest;
}

/**
 * Gives every registry request a deadline. Without one, a registry that accepts a connection and
 * never answers would hold an encode or decode, and the batch waiting on it, for ever; with it the
 * call fails, the client's own retries run, and then the consumer's outage handling takes over.
 */
function requestTimeout(timeoutMs: number) {
  return () => ({
    async prepareRequest(next: () => Promise<TimedRequest>): Promise<TimedRequest> {
      const request = await next();
      return request.timeout() === undefined ? request.enhance({ timeout: timeoutMs }) : request;
    },
  });
}

export const SCHEMA_REGISTRY_TIMEOUT_MS_DEFAULT = 10_000;

/** What the client's retry step sees of a failed response. */
interface FailedResponse {
  readonly responseStatus?: number;
  error?(): { name?: string } | undefined;
}

/**
 * The client retries 5xx answers by itself; a request that ran out of time is retried the same
 * way (registering a schema is idempotent: the same schema gets the same id).
 */
function retryable(response: FailedResponse): boolean {
  return (response.responseStatus ?? 0) >= 500 || response.error?.()?.name === 'TimeoutError';
}

/** The registry client; `url` is the full base URL of the Confluent-compatible API. */
export function createSchemaRegistry(url: URL, timeoutMs: number = SCHEMA_REGISTRY_TIMEOUT_MS_DEFAULT): SchemaRegistry {
  type Args = ConstructorParameters<typeof SchemaRegistry>[0];
  const middlewares = [requestTimeout(timeoutMs)] as unknown as Args['middlewares'];
  const retry = { validateRetry: retryable } as unknown as Args['retry'];
  return new SchemaRegistry({ host: url.toString().replace(/\/+$/, ''), middlewares, retry });
}

/**
 * Several record types share a topic, so subjects follow Confluent's TopicRecordNameStrategy:
 * `<topic>-<fully qualified record name>`.
 */
export function subjectFor(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}
