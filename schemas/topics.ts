import { deadLetterTopicOf, retryTopicOf } from '../platform/failure-records';

/**
 * Every topic the product uses, with its partition count, retention and clean-up policy. Topics
 * are never created implicitly (the brokers run with auto-creation off): `npm run topics` and every
 * service at start-up apply this declaration, creating what is missing.
 *
 * Partition counts bound the parallelism of each consumer group and can only ever grow, because
 * records are keyed by aggregate id and a change of count moves keys between partitions.
 */

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicDeclaration {
  readonly name: string;
  readonly partitions: number;
  /** -1 keeps records forever. */
  readonly retentionMs: number;
  readonly cleanupPolicy: CleanupPolicy;
  readonly purpose: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The bounded contexts, each with a processor of its own. */
export const CONTEXTS = ['fleet', 'rental', 'maintenance', 'identity', 'ledger', 'reporting'] as const;
export type Context = (typeof CONTEXTS)[number];

const COMMAND_PARTITIONS = 6;
const EVENT_PARTITIONS = 6;

function commandTopic(context: Context): TopicDeclaration {
  return {
    name: `${context}.commands`,
    partitions: COMMAND_PARTITIONS,
    // A command older than a week is not worth executing; it has long been answered as failed.
    retentionMs: 7 * DAY_MS,
    cleanupPolicy: 'delete',
    purpose: `commands for the ${context} context, keyed by aggregate id`,
  };
}

function eventTopic(context: Context): TopicDeclaration {
  return {
    name: `${context}.events`,
    partitions: EVENT_PARTITIONS,
    // Events are the facts other contexts and reports are rebuilt from: kept forever.
    retentionMs: -1,
    cleanupPolicy: 'delete',
    purpose: `events published by the ${context} context through its outbox, keyed by aggregate id`,
  };
}

/** The consumer group of a context's processor. */
export function processorGroupOf(context: Context): string {
  return `${context}-processor`;
}

/** The consumer group all gateway instances share to apply command results to their status table. */
export const GATEWAY_RESULTS_GROUP = 'gateway-command-status';

/**
 * A consumer group's own retry and dead-letter topics (see platform/failure-records.ts): only that
 * group reads them, so one group's failures never reach another group. Processors also create
 * them at start-up when missing, for groups not declared here.
 */
export function failureTopics(groupId: string): TopicDeclaration[] {
  return [
    {
      name: retryTopicOf(groupId),
      partitions: COMMAND_PARTITIONS,
      retentionMs: 7 * DAY_MS,
      cleanupPolicy: 'delete',
      purpose: `messages ${groupId} failed to process, waiting for their next attempt`,
    },
    {
      name: deadLetterTopicOf(groupId),
      partitions: 3,
      // A dead letter may be a payment: it stays until someone has looked at it.
      retentionMs: -1,
      cleanupPolicy: 'delete',
      purpose: `messages ${groupId} could not process; inspect and replay with npm run replay`,
    },
  ];
}

export const TOPICS: readonly TopicDeclaration[] = [
  ...CONTEXTS.map(commandTopic),
  ...CONTEXTS.map(eventTopic),
  ...CONTEXTS.flatMap((context) => failureTopics(processorGroupOf(context))),
  ...failureTopics(GATEWAY_RESULTS_GROUP),
  {
    name: 'command.results',
    partitions: 3,
    retentionMs: DAY_MS,
    cleanupPolicy: 'delete',
    purpose: 'the outcome of each command (accepted or rejected), read by every gateway instance, keyed by command id',
  },
];
