import { fleetHandlers } from '../../processors/fleet/fleet.handlers';
import { FleetRepository } from '../../processors/fleet/fleet.repository';
import type { CommandHandler } from '../../processors/runtime/command-handler';
import type { ContextProcessor } from '../../processors/runtime/context-processor';
import { startContextProcessor, type ContextProcessorDependencies } from './context-processor';

/** A started fleet processor on the given topics and database, with settings sized for tests. */
export async function startFleetProcessor(dependencies: ContextProcessorDependencies & { handlers?: CommandHandler[] }): Promise<ContextProcessor> {
  return startContextProcessor('fleet', dependencies.handlers ?? fleetHandlers(new FleetRepository()), dependencies);
}
