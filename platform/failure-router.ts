import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { deadLetterTopicOf, failureHeaders, headerText, readFailure, retryTopicOf, type ErrorClass, type OutgoingHeaders } from './failure-records';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { failureTopics } from '../schemas/topics';
import { describe } from './failures';
import { createMissingTopics } from './topic-setup';

const TOPIC_SETUP_TIMEOUT_MS = 10_000;

export interface FailureRouterOptions {
  readonly groupId: string;
  /** Processing attempts a message gets in all (the first one included) before it is dead-lettered. */
  readonly attemptsMax: number;
  /** Wait before the first retry, doubling with each further attempt up to the maximum. */
  readonly backoffMsMin: number;
  readonly backoffMsMax: number;
}

/** A consumed record that failed, as the consumer got it. */
export interface FailedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaJS.KafkaMessage;
  readonly kind: 'poison' | 'handler';
  readonly errorClass: ErrorClass;
  readonly error: unknown;
}

export interface Route {
  readonly failed: FailedMessage;
  readonly to: 'retry' | 'dead-letter';
  readonly topic: string;
  readonly attempts: number;
  readonly dueAt: Date | null;
  readonly headers: OutgoingHeaders;
}

/**
 * Sends failed messages on: a poison message straight to the group's dead-letter topic; a handler
 * failure to the group's retry topic, due after an exponential backoff, until its attempts run out
 * and it is dead-lettered. The attempt count travels in the record's headers, outside any
 * database transaction (a counter written inside the handler's transaction would roll back with
 * it). Key and value bytes are kept as they came.
 */
export class FailureRouter {
  readonly retryTopic: string;
  readonly deadLetterTopic: string;
  private readonly retried;
  private readonly deadLettered;

  constructor(
    private readonly producer: KafkaJS.Producer,
    private readonly options: FailureRouterOptions,
    metrics: Metrics,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.retryTopic = retryTopicOf(options.groupId);
    this.deadLetterTopic = deadLetterTopicOf(options.groupId);
    this.retried = metrics.counter('consumer_messages_retried_total', 'Messages sent to the consumer group\'s retry topic, by error class');
    this.deadLettered = metrics.counter('consumer_messages_dead_lettered_total', 'Messages sent to the consumer group\'s dead-letter topic, by error class');
  }

  /** Creates the group's retry and dead-letter topics if they are missing (the broker's default replication). */
  async ensureTopics(admin: KafkaJS.Admin): Promise<void> {
    const { missing } = await createMissingTopics(admin, failureTopics(this.options.groupId), { timeoutMs: TOPIC_SETUP_TIMEOUT_MS });
    if (missing.length > 0) this.logger.info({ topics: missing.map((declaration) => declaration.name) }, "created the consumer group's failure topics");
  }

  /** Where each failed message goes next, and with which headers. */
  plan(failures: readonly FailedMessage[]): Route[] {
    const at = this.clock();
    return failures.map((failed) => {
      const earlier = readFailure(failed.message.headers ?? {});
      // An unreadable count is taken as spent: the record is dead-lettered rather than cycled forever.
      const attempts = earlier === null ? 1 : earlier.attempts === null ? this.options.attemptsMax : earlier.attempts + 1;
      const deadLetter = failed.kind === 'poison' || attempts >= this.options.attemptsMax;
      const dueAt = deadLetter ? null : new Date(at.getTime() + this.backoffMs(attempts));
      const headers = failureHeaders(
        {
          topic: failed.topic,
          partition: failed.partition,
          offset: failed.message.offset,
          timestamp: failed.message.timestamp,
          headers: failed.message.headers ?? {},
        },
        {
          groupId: this.options.groupId,
          errorClass: failed.errorClass,
          errorMessage: describe(failed.error),
          at,
          ...(dueAt === null ? {} : { dueAt }),
        },
        attempts,
      );
      return { failed, to: deadLetter ? 'dead-letter' : 'retry', topic: deadLetter ? this.deadLetterTopic : this.retryTopic, attempts, dueAt, headers };
    });
  }

  /** Produces the routes (acks=all, idempotent); resolves once every record is acknowledged. */
  async send(routes: readonly Route[]): Promise<void> {
    const byTopic = new Map<string, Route[]>();
    for (const route of routes) byTopic.set(route.topic, [...(byTopic.get(route.topic) ?? []), route]);
    await Promise.all(
      [...byTopic].map(([topic, topicRoutes]) =>
        this.producer.send({
          topic,
          messages: topicRoutes.map((route) => ({ key: route.failed.message.key, value: route.failed.message.value, headers: { ...route.headers } })),
        }),
      ),
    );
    for (const route of routes) {
      const labels = { group: this.options.groupId, topic: route.failed.topic, error_class: route.failed.errorClass };
      const context = {
        topic: route.failed.topic,
        partition: route.failed.partition,
        offset: route.failed.message.offset,
        messageId: headerText(route.headers, 'message-id'),
        errorClass: route.failed.errorClass,
        attempts: route.attempts,
        error: describe(route.failed.error),
      };
      if (route.to === 'retry') {
        this.retried.inc(labels);
        this.logger.warn({ ...context, dueAt: route.dueAt?.toISOString() }, 'message failed; sent to the retry topic');
      } else {
        this.deadLettered.inc(labels);
        this.logger.error({ ...context, deadLetterTopic: this.deadLetterTopic }, 'message dead-lettered');
      }
    }
  }

  private backoffMs(attempts: number): number {
    return Math.min(this.options.backoffMsMin * 2 ** (attempts - 1), this.options.backoffMsMax);
  }
}
