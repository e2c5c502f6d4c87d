import { KafkaJS, RdKafka } from '@confluentinc/kafka-javascript';
import type { TopicDeclaration } from '../schemas/topics';

export type TopicOutcome =
  | { readonly topic: string; readonly action: 'created' }
  | { readonly topic: string; readonly action: 'unchanged' }
  | { readonly topic: string; readonly action: 'partitions-added'; readonly from: number; readonly to: number }
  | { readonly topic: string; readonly action: 'has-more-partitions'; readonly actual: number; readonly declared: number };

export interface TopicSetupOptions {
  readonly brokers: readonly string[];
  readonly replicationFactor: number;
  readonly timeoutMs: number;
}

function configEntries(declaration: TopicDeclaration): KafkaJS.IResourceConfigEntry[] {
  return [
    { name: 'cleanup.policy', value: declaration.cleanupPolicy },
    { name: 'retention.ms', value: String(declaration.retentionMs) },
  ];
}

/** The KafkaJS admin API has no partition increase; librdkafka's own admin client does. */
async function addPartitions(brokers: readonly string[], topic: string, total: number, timeoutMs: number): Promise<void> {
  const client = RdKafka.AdminClient.create({ 'bootstrap.servers': brokers.join(','), 'client.id': 'fleet-topic-setup' });
  try {
    await new Promise<void>((resolve, reject) => {
      client.createPartitions(topic, total, timeoutMs, (error) => (error ? reject(new Error(`adding partitions to ${topic}: ${error.message}`)) : resolve()));
    });
  } finally {
    client.disconnect();
  }
}

/** Creates the declared topics that do not exist yet, with their partitions and configuration. */
export async function createMissingTopics(
  admin: KafkaJS.Admin,
  declarations: readonly TopicDeclaration[],
  options: { readonly replicationFactor?: number; readonly timeoutMs: number },
): Promise<{ existing: ReadonlySet<string>; missing: TopicDeclaration[] }> {
  const existing = new Set(await admin.listTopics({ timeout: options.timeoutMs }));
  const missing = declarations.filter((declaration) => !existing.has(declaration.name));
  if (missing.length > 0) {
    await admin.createTopics({
      timeout: options.timeoutMs,
      topics: missing.map((declaration) => ({
        topic: declaration.name,
        numPartitions: declaration.partitions,
        ...(options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor }),
        configEntries: configEntries(declaration),
      })),
    });
  }
  return { existing, missing };
}

/**
 * Makes the cluster match the declaration, idempotently: creates missing topics with their
 * partitions and configuration, and grows topics that have fewer partitions than declared. A topic
 * with more partitions than declared is reported, never shrunk (Kafka cannot, and keys would move).
 */
export async function applyTopics(
  admin: KafkaJS.Admin,
  declarations: readonly TopicDeclaration[],
  options: TopicSetupOptions,
): Promise<TopicOutcome[]> {
  const { existing, missing } = await createMissingTopics(admin, declarations, options);
  const present = declarations.filter((declaration) => existing.has(declaration.name));
  const metadata =
    present.length === 0
      ? []
      : await admin.fetchTopicMetadata({ topics: present.map((declaration) => declaration.name), timeout: options.timeoutMs });
  const partitionCounts = new Map(metadata.map((topic) => [topic.name, topic.partitions.length]));

  const outcomes: TopicOutcome[] = missing.map((declaration) => ({ topic: declaration.name, action: 'created' }));
  for (const declaration of present) {
    const actual = partitionCounts.get(declaration.name) ?? 0;
    if (actual === declaration.partitions) {
      outcomes.push({ topic: declaration.name, action: 'unchanged' });
    } else if (actual < declaration.partitions) {
      await addPartitions(options.brokers, declaration.name, declaration.partitions, options.timeoutMs);
      outcomes.push({ topic: declaration.name, action: 'partitions-added', from: actual, to: declaration.partitions });
    } else {
      outcomes.push({ topic: declaration.name, action: 'has-more-partitions', actual, declared: declaration.partitions });
    }
  }
  return outcomes;
}
