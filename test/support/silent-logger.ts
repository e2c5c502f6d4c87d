import { createLogger } from '../../platform/logger';

/** A real pino logger that writes nowhere, for tests that do not look at log lines. */
export const silentLogger = createLogger('test', 'silent');
