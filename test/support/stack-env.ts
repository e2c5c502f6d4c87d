import { loadConfig } from '../../platform/config/load';
import {
  databaseAdminVariables,
  databaseVariables,
  kafkaVariables,
  redisVariables,
  schemaRegistryVariables,
} from '../../platform/config/variables';

/**
 * The running local stack's coordinates, as `npm test` exports them from .stack/env. A test run
 * started some other way fails here with the names of the missing variables.
 */
export function stackEnv() {
  try {
    return loadConfig({ ...kafkaVariables, ...schemaRegistryVariables, ...databaseVariables, ...databaseAdminVariables, ...redisVariables });
  } catch (error) {
    throw new Error(`Integration tests need the local stack; run them with 'npm test'.\n${(error as Error).message}`);
  }
}
