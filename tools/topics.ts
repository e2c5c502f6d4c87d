/**
 * `npm run topics`: applies the topic declaration (schemas/topics.ts) to the cluster in
 * KAFKA_BROKERS, creating missing topics and growing partition counts. Safe to run at any time.
 */
import { loadConfig } from '../platform/config/load';
import { kafkaVariables, runtimeVariables, topicVariables } from '../platform/config/variables';
import { createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { applyTopics } from '../platform/topic-setup';
import { TOPICS } from '../schemas/topics';

const ADMIN_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig({ ...runtimeVariables, ...kafkaVariables, ...topicVariables });
  const logger = createLogger('topics', config.logLevel);
  const admin = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.kafkaClientId}-topics`, logger }).admin();
  await admin.connect();
  try {
    const outcomes = await applyTopics(admin, TOPICS, {
      brokers: config.kafkaBrokers,
      replicationFactor: config.topicReplicationFactor,
      timeoutMs: ADMIN_TIMEOUT_MS,
    });
    for (const outcome of outcomes) {
      if (outcome.action === 'has-more-partitions') logger.warn(outcome, 'topic has more partitions than declared');
      else if (outcome.action !== 'unchanged') logger.info(outcome, 'topic updated');
    }
    const changed = outcomes.filter((outcome) => outcome.action !== 'unchanged').length;
    logger.info({ declared: TOPICS.length, changed }, 'topics applied');
  } finally {
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
