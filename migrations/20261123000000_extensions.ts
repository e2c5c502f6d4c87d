import type { Knex } from 'knex';

/**
 * The PostgreSQL extensions the schema relies on: btree_gist for the exclusion constraint that
 * makes double booking impossible, citext for case-insensitive e-mail addresses and pgcrypto for
 * gen_random_uuid() defaults on older servers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS citext');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pgcrypto');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP EXTENSION IF EXISTS pgcrypto');
  await knex.raw('DROP EXTENSION IF EXISTS citext');
  await knex.raw('DROP EXTENSION IF EXISTS btree_gist');
}
