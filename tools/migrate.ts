/**
 * `npm run migrate`: brings the database in DATABASE_ADMIN_URL to the newest migration.
 * `npm run migrate -- rollback` undoes the last batch.
 */
import knex from 'knex';
import { knexConfig } from '../knexfile';

async function main(): Promise<void> {
  const database = knex(knexConfig());
  try {
    if (process.argv[2] === 'rollback') {
      const [batch, names] = (await database.migrate.rollback()) as [number, string[]];
      console.log(`rolled back batch ${batch}: ${names.length === 0 ? 'nothing to undo' : names.join(', ')}`);
      return;
    }
    const [batch, names] = (await database.migrate.latest()) as [number, string[]];
    console.log(names.length === 0 ? 'migrations: already up to date' : `migrations: batch ${batch} applied ${names.join(', ')}`);
  } finally {
    await database.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
