/**
 * `npm run reporting:rebuild [-- --topics a,b --report <id> ... --keep]`: reads the source topics
 * from their first record into fresh read models (a scratch schema, `reporting` is left alone), then
 * computes every report snapshot again at its own watermark from them and compares the bytes'
 * hash with the one the snapshot holds. Runs against DATABASE_ADMIN_URL (it creates the scratch
 * schema), KAFKA_BROKERS and SCHEMA_REGISTRY_URL.
 *
 * Exit codes: 0 every snapshot reproduces, 1 a runtime failure, 2 a command line the tool refuses,
 * 3 a snapshot that does not reproduce (listed on stdout with both hashes).
 */
import knex from 'knex';
import { randomUUID } from 'node:crypto';
import { knexConfig } from '../knexfile';
import { AvroCodec } from '../platform/avro-codec';
import { loadConfig } from '../platform/config/load';
import { kafkaVariables, schemaRegistryVariables } from '../platform/config/variables';
import { isUuid } from '../platform/identifiers';
import { createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { createSchemaRegistry } from '../platform/schema-registry';
import { recompute } from '../processors/reporting/reporting.handlers';
import { ReportingRepository, type StoredSnapshot } from '../processors/reporting/reporting.repository';
import { REPORT_SOURCE_TOPICS } from '../schemas/reporting/report-parameters';
import { replayTopics } from './reporting-rebuild/replay-topics';

const USAGE = 'usage: npm run reporting:rebuild [-- --topics <topic,...>] [--report <report id>]... [--keep]';
const DISCREPANCY_EXIT_CODE = 3;
const SNAPSHOT_PAGE = 200;

class UsageError extends Error {}

interface Options {
  readonly topics: readonly string[];
  readonly reportIds: readonly string[] | undefined;
  readonly keep: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let topics: readonly string[] = REPORT_SOURCE_TOPICS;
  const reportIds: string[] = [];
  let keep = false;
  for (let index = 0; index < argv.length; index += 1) {
    const option = argv[index];
    const value = argv[index + 1];
    if (option === '--keep') keep = true;
    else if (option === '--topics' && value !== undefined) {
      topics = value.split(',').map((topic) => topic.trim());
      if (topics.some((topic) => !/^[A-Za-z0-9._-]{1,249}$/.test(topic))) throw new UsageError(`--topics ${value}: each must be a Kafka topic name`);
      index += 1;
    } else if (option === '--report' && value !== undefined) {
      if (!isUuid(value)) throw new UsageError(`--report ${value}: a report id is a UUID`);
      reportIds.push(value);
      index += 1;
    } else throw new UsageError(`${option ?? ''} is not an option here`);
  }
  return { topics, reportIds: reportIds.length === 0 ? undefined : reportIds, keep };
}

/** Why a snapshot cannot be checked against these read models, if it cannot. */
function notCheckable(snapshot: StoredSnapshot, replayed: ReadonlySet<string>, reached: ReadonlyMap<string, number>): string | undefined {
  const elsewhere = snapshot.watermark.find((position) => !replayed.has(position.topic));
  if (elsewhere !== undefined) return `its watermark reads ${elsewhere.topic}, which was not replayed`;
  const missing = snapshot.watermark.find((position) => (reached.get(`${position.topic}/${position.partition}`) ?? -1) < position.offset);
  if (missing !== undefined) return `its watermark reads ${missing.topic}/${missing.partition} up to ${missing.offset}, past what the topic holds now`;
  return undefined;
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  const { kafkaBrokers } = loadConfig(kafkaVariables);
  const { schemaRegistryUrl } = loadConfig(schemaRegistryVariables);
  const logger = createLogger('reporting-rebuild', 'warn');
  const database = knex(knexConfig());
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'reporting-rebuild', logger });
  const codec = new AvroCodec(createSchemaRegistry(schemaRegistryUrl));
  const schema = `reporting_rebuild_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const started = Date.now();
  try {
    const repository = await ReportingRepository.createReadModels(database, schema);
    const replay = await replayTopics({ kafka, codec, database, repository, topics: options.topics });
    console.log(
      `rebuild: ${replay.records} records from ${options.topics.length} topics into ${schema} in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        `${replay.unreadable > 0 ? ` (${replay.unreadable} unreadable records left out, as the processor leaves them)` : ''}`,
    );
    const snapshots = new ReportingRepository();
    const replayed = new Set(options.topics);
    const reached = new Map((await database.transaction((transaction) => repository.watermark(transaction))).map((position) => [`${position.topic}/${position.partition}`, position.offset]));
    const counts = { reproduced: 0, differ: 0, skipped: 0 };
    let after: string | undefined;
    for (;;) {
      const page = await snapshots.snapshots(database, { limit: SNAPSHOT_PAGE, ...(after === undefined ? {} : { after }), ...(options.reportIds === undefined ? {} : { ids: options.reportIds }) });
      for (const snapshot of page) {
        const reason = notCheckable(snapshot, replayed, reached);
        if (reason !== undefined) {
          counts.skipped += 1;
          console.log(`skipped     ${snapshot.id} ${snapshot.reportType}: ${reason}`);
          continue;
        }
        const again = await database.transaction((transaction) => recompute(repository, transaction, snapshot));
        if (again !== null && again.contentHash === snapshot.contentHash) {
          counts.reproduced += 1;
          console.log(`reproduced  ${snapshot.id} ${snapshot.reportType} ${snapshot.contentHash}`);
        } else {
          counts.differ += 1;
          console.log(`differs     ${snapshot.id} ${snapshot.reportType}: stored ${snapshot.contentHash}, rebuilt ${again?.contentHash ?? '(its parameters are no report request)'}`);
        }
      }
      if (page.length < SNAPSHOT_PAGE) break;
      after = page.at(-1)!.id;
    }
    const missing = (options.reportIds ?? []).length - (counts.reproduced + counts.differ + counts.skipped);
    if (missing > 0) console.log(`rebuild: ${missing} of the reports named are not snapshots`);
    console.log(`rebuild: ${counts.reproduced} reproduced, ${counts.differ} differ, ${counts.skipped} skipped`);
    return counts.differ > 0 || missing > 0 ? DISCREPANCY_EXIT_CODE : 0;
  } finally {
    if (options.keep) console.log(`rebuild: the read models are kept in schema ${schema}`);
    else await ReportingRepository.dropReadModels(database, schema).catch(() => undefined);
    await database.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
