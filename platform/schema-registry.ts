import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export { SchemaRegistry };

/** The registry client; `url` is the full base URL of the Confluent-compatible API. */
export function createSchemaRegistry(url: URL): SchemaRegistry {
  return new SchemaRegistry({ host: url.toString().replace(/\/+$/, '') });
}

/**
 * Several record types share a topic, so subjects follow Confluent's TopicRecordNameStrategy:
 * `<topic>-<fully qualified record name>`.
 */
export function subjectFor(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}
