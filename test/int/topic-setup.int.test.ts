import { createKafka } from '../../platform/kafka';
import { applyTopics } from '../../platform/topic-setup';
import type { TopicDeclaration } from '../../schemas/topics';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/names';
import { silentLogger } from '../support/silent-logger';
import { stackEnv } from '../support/stack-env';

const env = stackEnv();

describe('applying the topic declaration to the real broker', () => {
  const admin = createKafka({ brokers: env.kafkaBrokers, clientId: 'topic-setup-test', logger: silentLogger }).admin();
  const name = uniqueName('test.topic-setup');
  const declaration = (partitions: number): TopicDeclaration => ({
    name,
    partitions,
    retentionMs: 3_600_000,
    cleanupPolicy: 'delete',
    purpose: 'test',
  });
  const options = { brokers: env.kafkaBrokers, replicationFactor: 1, timeoutMs: 30_000 };

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: [name] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function partitionCount(): Promise<number> {
    const [metadata] = await admin.fetchTopicMetadata({ topics: [name] });
    return metadata!.partitions.length;
  }

  it('creates a missing topic, leaves it alone the second time, grows it and never shrinks it', async () => {
    expect(await applyTopics(admin, [declaration(2)], options)).toEqual([{ topic: name, action: 'created' }]);
    // A topic just created may be unknown to the broker answering metadata for a moment.
    await eventually(async () => ((await partitionCount().catch(() => 0)) === 2 ? true : undefined), 15_000, 'the new topic to show 2 partitions');

    expect(await applyTopics(admin, [declaration(2)], options)).toEqual([{ topic: name, action: 'unchanged' }]);

    expect(await applyTopics(admin, [declaration(4)], options)).toEqual([{ topic: name, action: 'partitions-added', from: 2, to: 4 }]);
    // Metadata reaches clients shortly after the controller has grown the topic.
    await eventually(async () => ((await partitionCount().catch(() => 0)) === 4 ? true : undefined), 15_000, 'the topic to show 4 partitions');

    expect(await applyTopics(admin, [declaration(3)], options)).toEqual([
      { topic: name, action: 'has-more-partitions', actual: 4, declared: 3 },
    ]);
    expect(await partitionCount()).toBe(4);
  });
});
