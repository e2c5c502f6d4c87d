import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export type PauseReason = 'outage' | 'retry-not-due' | 'breaker-open';
const REASONS: readonly PauseReason[] = ['outage', 'retry-not-due', 'breaker-open'];

/**
 * Pauses single partitions of a consumer for a while and resumes them by themselves, counting
 * each pause by reason. A batch left unresolved when its partition pauses is delivered again
 * from its first unresolved message after the resume. Outages back off per partition: the delay
 * doubles with each consecutive outage up to the maximum, and `recovered` resets it.
 */
export class PartitionPauses {
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; reason: PauseReason }>();
  private readonly consecutiveOutages = new Map<string, number>();
  private readonly pauses;
  private readonly paused;

  constructor(
    private readonly consumer: () => KafkaJS.Consumer | undefined,
    private readonly options: { readonly groupId: string; readonly outageDelayMsMin: number; readonly outageDelayMsMax: number },
    metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.pauses = metrics.counter('consumer_partition_pauses_total', 'Times a partition was paused, by reason');
    this.paused = metrics.gauge('consumer_paused_partitions', 'Partitions paused now, by reason');
  }

  /** Pauses the partition for the next outage delay; returns that delay. */
  outage(topic: string, partition: number): number {
    const key = `${topic}:${partition}`;
    const outages = (this.consecutiveOutages.get(key) ?? 0) + 1;
    this.consecutiveOutages.set(key, outages);
    const delayMs = Math.min(this.options.outageDelayMsMin * 2 ** (outages - 1), this.options.outageDelayMsMax);
    this.pause(topic, partition, delayMs, 'outage');
    return delayMs;
  }

  recovered(topic: string, partition: number): void {
    this.consecutiveOutages.delete(`${topic}:${partition}`);
  }

  pause(topic: string, partition: number, ms: number, reason: PauseReason): void {
    const key = `${topic}:${partition}`;
    const consumer = this.consumer();
    if (consumer === undefined || this.timers.has(key)) return;
    consumer.pause([{ topic, partitions: [partition] }]);
    this.pauses.inc({ group: this.options.groupId, topic, reason });
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        this.updateGauge();
        try {
          consumer.resume([{ topic, partitions: [partition] }]);
        } catch (error) {
          // The partition moved to another member meanwhile: nothing to resume here.
          this.logger.debug({ err: error, topic, partition }, 'could not resume a partition');
        }
      },
      Math.max(ms, 0),
    );
    this.timers.set(key, { timer, reason });
    this.updateGauge();
    if (reason !== 'retry-not-due') this.logger.warn({ group: this.options.groupId, topic, partition, pausedForMs: Math.round(ms), reason }, 'partition paused');
  }

  /** Forgets every pending resume (the consumer is stopping). */
  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.updateGauge();
  }

  private updateGauge(): void {
    for (const reason of REASONS) {
      const count = [...this.timers.values()].filter((paused) => paused.reason === reason).length;
      this.paused.set({ group: this.options.groupId, reason }, count);
    }
  }
}
