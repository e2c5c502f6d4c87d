-- Runs once, when the postgres container initialises an empty data volume (as the superuser,
-- connected to the `fleet` database that POSTGRES_DB creates). Creates the same roles and
-- databases as infra/stack/postgres.sh. Passwords come from the container's environment, so
-- none is written here; psql stops at the first error if one is missing.
\set ON_ERROR_STOP on

\getenv app_password FLEET_APP_DB_PASSWORD
\getenv registry_password SCHEMA_REGISTRY_DB_PASSWORD

-- The services' login. Migrations (run as the superuser) grant it what it needs inside `fleet`.
CREATE ROLE fleet_app LOGIN PASSWORD :'app_password';
GRANT CONNECT ON DATABASE fleet TO fleet_app;

-- The schema registry's storage, owned by its own role and closed to everyone else.
CREATE ROLE schema_registry LOGIN PASSWORD :'registry_password';
CREATE DATABASE schema_registry OWNER schema_registry;
REVOKE ALL ON DATABASE schema_registry FROM PUBLIC;
