import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from './logger';

export interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
}

/** Routes the Kafka client's own log lines into the service's pino logger. */
function kafkaLogger(logger: Logger): KafkaJS.Logger {
  const bridge = (child: Logger): KafkaJS.Logger => ({
    info: (message, extra) => child.info(extra ?? {}, message),
    warn: (message, extra) => child.warn(extra ?? {}, message),
    error: (message, extra) => child.error(extra ?? {}, message),
    debug: (message, extra) => child.debug(extra ?? {}, message),
    namespace: (namespace) => bridge(child.child({ kafkaNamespace: namespace })),
    setLogLevel: () => undefined,
  });
  return bridge(logger.child({ component: 'kafka' }));
}

export function createKafka(options: KafkaOptions): KafkaJS.Kafka {
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [...options.brokers],
      clientId: options.clientId,
      logger: kafkaLogger(options.logger),
      logLevel: KafkaJS.logLevel.WARN,
    },
  });
}

/** librdkafka's own default is five minutes: an HTTP request would hang that long on a dead broker. */
export const DELIVERY_TIMEOUT_MS_DEFAULT = 30_000;

/**
 * A producer that writes each record exactly once per partition despite its own retries
 * (idempotence implies acks=all and bounded in-flight requests). A send fails when the broker has
 * not acknowledged it within `deliveryTimeoutMs` (KAFKA_DELIVERY_TIMEOUT_MS): the gateway then
 * answers 503, a processor pauses the partition as for any outage.
 */
export function createIdempotentProducer(kafka: KafkaJS.Kafka, deliveryTimeoutMs = DELIVERY_TIMEOUT_MS_DEFAULT): KafkaJS.Producer {
  return kafka.producer({ kafkaJS: { idempotent: true, acks: -1 }, 'linger.ms': 5, 'message.timeout.ms': deliveryTimeoutMs });
}
