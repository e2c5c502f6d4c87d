/**
 * `npm run migrate -- latest | rollback [--all] | status`, against DATABASE_ADMIN_URL: migrations
 * create schemas, extensions and roles, which the services' own logins may not. With no argument
 * it applies the pending migrations (`latest`).
 */
import knex from 'knex';
import { knexConfig } from '../knexfile';
import { ensureServiceRoles } from '../migrations/support/roles';

const USAGE = 'usage: npm run migrate -- latest | rollback [--all] | status';

async function main(): Promise<number> {
  const [command = 'latest', ...options] = process.argv.slice(2);
  const database = knex(knexConfig());
  try {
    switch (command) {
      case 'latest': {
        const [batch, names] = (await database.migrate.latest()) as [number, string[]];
        await ensureServiceRoles(database);
        console.log(names.length === 0 ? 'migrations: already up to date' : `migrations: batch ${batch} applied ${names.join(', ')}`);
        return 0;
      }
      case 'rollback': {
        const all = options.includes('--all');
        const [batch, names] = (await database.migrate.rollback(undefined, all)) as [number, string[]];
        console.log(names.length === 0 ? 'migrations: nothing to roll back' : `migrations: rolled back ${all ? 'every batch' : `batch ${batch}`}: ${names.join(', ')}`);
        return 0;
      }
      case 'status': {
        const [completed, pending] = (await database.migrate.list()) as [{ name: string }[], { file: string }[]];
        for (const migration of completed) console.log(`applied  ${migration.name}`);
        for (const migration of pending) console.log(`pending  ${migration.file}`);
        console.log(`migrations: ${completed.length} applied, ${pending.length} pending`);
        return pending.length === 0 ? 0 : 3;
      }
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
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
