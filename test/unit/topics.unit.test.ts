import { CONTEXTS, TOPICS } from '../../schemas/topics';

describe('the topic declaration', () => {
  it('declares a command topic and an event topic for every context, plus command results', () => {
    const names = TOPICS.map((topic) => topic.name).sort();
    const expected = [...CONTEXTS.flatMap((context) => [`${context}.commands`, `${context}.events`]), 'command.results'].sort();
    expect(names).toEqual(expected);
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
