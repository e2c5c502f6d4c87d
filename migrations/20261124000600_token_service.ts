import type { Knex } from 'knex';
import { runStatements, statusCheck } from './support/sql';

/**
 * The token service's own state, in schema `auth`: the OAuth clients it knows and the refresh
 * tokens it issued (only their SHA-256, never the token). It runs inside the gateway process as
 * gateway_svc, which gets three identity views for signing users in: their credentials, their
 * effective roles and permissions, and each role's permissions (for clients). Nothing else of
 * identity is readable to it, and it writes nothing there.
 */
const GATEWAY_ROLE = 'gateway_svc';

/** The first-party command-line client: public (no secret), password and refresh grants only. */
export const FIRST_PARTY_CLIENT_ID = 'fleet-cli';

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    'CREATE SCHEMA auth',
    `CREATE TABLE auth.clients (
      client_id text PRIMARY KEY,
      display_name text NOT NULL,
      secret_hash text NULL,
      grant_types text[] NOT NULL,
      roles text[] NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'active',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT clients_id_check CHECK (client_id ~ '^[a-z][a-z0-9-]{1,62}$'),
      CONSTRAINT clients_grant_types_check CHECK (grant_types <@ ARRAY['password', 'client_credentials', 'refresh_token']::text[] AND cardinality(grant_types) > 0),
      CONSTRAINT clients_confidential_check CHECK (secret_hash IS NOT NULL OR NOT ('client_credentials' = ANY (grant_types))),
      ${statusCheck('clients_status_check', ['active', 'disabled'])}
    )`,
    `CREATE TABLE auth.refresh_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash bytea NOT NULL,
      family_id uuid NOT NULL,
      subject text NOT NULL,
      client_id text NOT NULL REFERENCES auth.clients (client_id),
      issued_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz NULL,
      revoked_at timestamptz NULL,
      revoked_reason text NULL,
      CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash),
      CONSTRAINT refresh_tokens_hash_check CHECK (octet_length(token_hash) = 32),
      CONSTRAINT refresh_tokens_expiry_check CHECK (expires_at > issued_at),
      CONSTRAINT refresh_tokens_revoked_check CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
    )`,
    'CREATE INDEX refresh_tokens_family_idx ON auth.refresh_tokens (family_id) WHERE revoked_at IS NULL',
    'CREATE INDEX refresh_tokens_subject_idx ON auth.refresh_tokens (subject) WHERE revoked_at IS NULL',
    'CREATE INDEX refresh_tokens_expires_idx ON auth.refresh_tokens (expires_at)',
    `INSERT INTO auth.clients (client_id, display_name, grant_types)
      VALUES ('${FIRST_PARTY_CLIENT_ID}', 'Fleet command-line tools', ARRAY['password', 'refresh_token'])`,
    `GRANT USAGE ON SCHEMA auth TO ${GATEWAY_ROLE}`,
    `GRANT SELECT ON auth.clients TO ${GATEWAY_ROLE}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON auth.refresh_tokens TO ${GATEWAY_ROLE}`,
    // Signing in: the hash is readable here and nowhere else outside the identity context.
    `CREATE VIEW identity.credentials_view AS
      SELECT u.id, u.email, u.password_hash, u.status FROM identity.users u`,
    // What a user may do now, for the token's claims and for the disabled-account check.
    `CREATE VIEW identity.principals_view AS
      SELECT u.id, u.external_subject, u.status,
             coalesce(array_agg(DISTINCT r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS roles,
             coalesce(array_agg(DISTINCT p.name) FILTER (WHERE p.name IS NOT NULL), '{}') AS permissions
      FROM identity.users u
      LEFT JOIN identity.user_roles ur ON ur.user_id = u.id
      LEFT JOIN identity.roles r ON r.id = ur.role_id
      LEFT JOIN identity.role_permissions rp ON rp.role_id = r.id
      LEFT JOIN identity.permissions p ON p.id = rp.permission_id
      GROUP BY u.id`,
    `GRANT USAGE ON SCHEMA identity TO ${GATEWAY_ROLE}`,
    `GRANT SELECT ON identity.credentials_view, identity.principals_view, identity.roles_view TO ${GATEWAY_ROLE}`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `REVOKE SELECT ON identity.roles_view FROM ${GATEWAY_ROLE}`,
    'DROP VIEW identity.principals_view',
    'DROP VIEW identity.credentials_view',
    `REVOKE USAGE ON SCHEMA identity FROM ${GATEWAY_ROLE}`,
    'DROP SCHEMA auth CASCADE',
  ]);
}
