/**
 * `npm run replay -- <list|show|replay> --group G …`: inspects consumer group G's dead-letter
 * topic G.dlq and re-delivers its records to G.retry. docs/replay.md describes each command.
 *
 * Exit codes: 0 done, 1 a runtime failure (broker, registry, database), 2 a command line the tool
 * refuses, 130 a replay interrupted by Ctrl-C. Each failure is one line on stderr; a replay that
 * stopped also prints how far it got and the command that resumes it.
 */
import { AvroCodec } from '../platform/avro-codec';
import { ConfigError, loadConfig } from '../platform/config/load';
import { databaseVariables, kafkaVariables, runtimeVariables, schemaRegistryVariables } from '../platform/config/variables';
import { createLogger } from '../platform/logger';
import { createSchemaRegistry } from '../platform/schema-registry';
import { type Command, USAGE, UsageError, parseCommand } from './replay/arguments';
import { Connections } from './replay/connections';
import { list } from './replay/list-command';
import { INTERRUPTED_EXIT_CODE, type Interruption, replay } from './replay/replay-command';
import { show } from './replay/show-command';

const USAGE_EXIT_CODE = 2;
const FAILURE_EXIT_CODE = 1;

/** Ctrl-C stops a replay between two records; a second one stops it at once. */
function interruptible(): Interruption {
  const interruption: Interruption = { requested: false };
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruption.requested) {
      console.error(`stopped at once by a second ${signal}: the record in hand may have been delivered without its row; a re-run delivers it again, which its message id makes harmless`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    interruption.requested = true;
    console.error(`${signal}: stopping after the record in hand (again to stop at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return interruption;
}

async function run(command: Exclude<Command, { kind: 'help' }>): Promise<number> {
  const config = loadConfig({ ...runtimeVariables, ...kafkaVariables, ...databaseVariables });
  const registryUrl = command.kind === 'show' ? loadConfig(schemaRegistryVariables).schemaRegistryUrl : null;
  // The tool reports each failure itself in one line; the Kafka client's own log lines (a refused
  // connection is logged on every retry) go to stderr only when LOG_LEVEL asks for debug or trace.
  const troubleshooting = config.logLevel === 'debug' || config.logLevel === 'trace';
  const logger = createLogger('replay', troubleshooting ? config.logLevel : 'silent', process.stderr);
  const connections = await Connections.open(config, logger);
  try {
    switch (command.kind) {
      case 'list':
        return await list(command, connections);
      case 'show': {
        const registry = createSchemaRegistry(registryUrl!);
        return await show(command, connections, { registry, codec: new AvroCodec(registry) });
      }
      case 'replay':
        return await replay(command, connections, interruptible());
    }
  } finally {
    await connections.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  return run(command);
}

function oneLine(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.problems.join('; ')}`;
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(oneLine(error));
    process.exitCode = error instanceof UsageError ? USAGE_EXIT_CODE : FAILURE_EXIT_CODE;
  },
);
