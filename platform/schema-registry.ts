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

/** The registry client; `url` is the full base URL of the Confluent-compatible API. */
export function createSchemaRegistry(url: URL, timeoutMs: number = SCHEMA_REGISTRY_TIMEOUT_MS_DEFAULT): SchemaRegistry {
  const middlewares = [requestTimeout(timeoutMs)] as unknown as ConstructorParameters<typeof SchemaRegistry>[0]['middlewares'];
  return new SchemaRegistry({ host: url.toString().replace(/\/+$/, ''), middlewares });
}

/**
 * Several record types share a topic, so subjects follow Confluent's TopicRecordNameStrategy:
 * `<topic>-<fully qualified record name>`.
 */
export function subjectFor(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}
