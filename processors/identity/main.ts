/** The identity processor: users, roles, permissions and staff profiles. */
import { runContext } from '../runtime/run-context';
import { identityHandlers } from './identity.handlers';
import { IdentityRepository } from './identity.repository';

runContext({
  service: 'identity',
  schema: 'identity',
  commandsTopic: 'identity.commands',
  eventsTopic: 'identity.events',
  // The identity context follows no other context's events.
  subscriptions: [],
  handlers: () => identityHandlers(new IdentityRepository()),
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
