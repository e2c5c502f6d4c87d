import { CONTEXTS, failureTopics, TOPICS } from '../../schemas/topics';

describe('the topic declaration', () => {
  it('declares for every context a command and an event topic and its processor group\'s retry and dead-letter topics, plus command results and the gateway group\'s failure topics', () => {
    const names = TOPICS.map((topic) => topic.name).sort();
    const expected = [
      ...CONTEXTS.flatMap((context) => [`${context}.commands`, `${context}.events`, `${context}-processor.retry`, `${context}-processor.dlq`]),
      'command.results',
      'gateway-command-status.retry',
      'gateway-command-status.dlq',
    ].sort();
    expect(names).toEqual(expected);
  });

  it('keeps dead letters until someone deals with them, and retries for a week', () => {
    expect(failureTopics('g').map((topic) => [topic.name, topic.retentionMs])).toEqual([
      ['g.retry', 7 * 24 * 60 * 60 * 1000],
      ['g.dlq', -1],
    ]);
  });

  it('keeps events forever, because reports and projections are rebuilt from them', () => {
    const eventTopics = TOPICS.filter((topic) => topic.name.endsWith('.events'));
    expect(eventTopics.map((topic) => topic.retentionMs)).toEqual(eventTopics.map(() => -1));
  });

  it('gives every topic a valid partition count and retention', () => {
    for (const topic of TOPICS) {
      expect(Number.isInteger(topic.partitions) && topic.partitions >= 1).toBe(true);
      expect(topic.retentionMs === -1 || topic.retentionMs > 0).toBe(true);
    }
  });
});
