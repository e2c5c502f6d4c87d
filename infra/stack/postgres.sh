# shellcheck shell=bash
# A private PostgreSQL cluster for the stack: its own data directory, port and socket directory,
# password authentication on 127.0.0.1, and the databases and login roles the project expects.
# PostgreSQL refuses to run as root, so as root the server runs as Debian's `postgres` user.

POSTGRES_PORT="${STACK_POSTGRES_PORT:-55432}"
POSTGRES_DATABASE=fleet
POSTGRES_APP_ROLE=fleet_app
POSTGRES_REGISTRY_DATABASE=schema_registry
POSTGRES_REGISTRY_ROLE=schema_registry

postgres_bin_dir() {
  if [[ -n "${PG_BIN_DIR:-}" ]]; then printf '%s' "$PG_BIN_DIR"; return; fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "$newest/postgres" ]] || stack_die "PostgreSQL server binaries not found: install Debian's 'postgresql' package (or set PG_BIN_DIR to the folder holding initdb and postgres)"
  printf '%s' "$newest"
}

# The command prefix that runs a program as the unprivileged owner of the cluster (nothing when
# the caller is not root). setpriv execs in place, so a recorded pid is the server's own.
POSTGRES_AS_OWNER=()
if [[ $EUID -eq 0 ]]; then
  POSTGRES_AS_OWNER=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi

as_postgres_owner() {
  if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    stack_die "running as root needs Debian's 'postgres' user to own the cluster: install the 'postgresql' package"
  fi
  "${POSTGRES_AS_OWNER[@]}" "$@"
}

postgres_owner() { if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi; }

postgres_admin_psql() {
  PGPASSWORD="$(stack_secret postgres-admin)" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres "$@"
}

postgres_init_cluster() {
  local bin="$1" data="$2"
  [[ -f "$data/PG_VERSION" ]] && return
  stack_say "postgres: creating a cluster in $data"
  mkdir -p "$data"
  chown "$(postgres_owner)" "$data" && chmod 700 "$data"
  local password_file
  password_file="$(mktemp)"
  stack_secret postgres-admin > "$password_file"
  chown "$(postgres_owner)" "$password_file"
  as_postgres_owner "$bin/initdb" -D "$data" -U postgres --pwfile="$password_file" \
    --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 >> "$(component_log postgres)" 2>&1 \
    || { rm -f "$password_file"; show_log_tail postgres; stack_die "postgres: initdb failed"; }
  rm -f "$password_file"
}

postgres_ready() {
  PGPASSWORD="$(stack_secret postgres-admin)" psql -X -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -c 'select 1'
}

# Creates (or re-keys) the login roles and databases; safe to run on every `up`.
postgres_provision() {
  local app_password registry_password
  app_password="$(stack_secret postgres-app)"
  registry_password="$(stack_secret postgres-registry)"
  postgres_admin_psql -d postgres \
    -v app_role="$POSTGRES_APP_ROLE" -v app_password="$app_password" \
    -v registry_role="$POSTGRES_REGISTRY_ROLE" -v registry_password="$registry_password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'registry_role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'registry_role') \gexec
ALTER ROLE :"app_role" PASSWORD :'app_password';
ALTER ROLE :"registry_role" PASSWORD :'registry_password';
SQL
  postgres_admin_psql -d postgres -v db="$POSTGRES_DATABASE" -v registry_db="$POSTGRES_REGISTRY_DATABASE" \
    -v registry_role="$POSTGRES_REGISTRY_ROLE" -v app_role="$POSTGRES_APP_ROLE" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'registry_db', :'registry_role') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'registry_db') \gexec
REVOKE ALL ON DATABASE :"registry_db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app_role";
SQL
}

postgres_preflight() {
  postgres_bin_dir > /dev/null
  require_free_port postgres "$POSTGRES_PORT" STACK_POSTGRES_PORT
}

postgres_start() {
  local bin data socket_dir
  bin="$(postgres_bin_dir)"
  data="$(component_dir postgres)/data"
  socket_dir="$(component_dir postgres)/run"
  mkdir -p "$(component_dir postgres)"
  # The server's unprivileged user must be able to reach its data directory inside ours.
  [[ $EUID -eq 0 ]] && chmod a+x "$STACK_DIR" "$(component_dir postgres)"
  postgres_init_cluster "$bin" "$data"
  mkdir -p "$socket_dir" && chown "$(postgres_owner)" "$socket_dir" && chmod 700 "$socket_dir"
  stack_say "postgres: starting on 127.0.0.1:$POSTGRES_PORT"
  # fsync and full-page writes are off: this cluster holds disposable development and test data,
  # and the tests run several times faster without waiting for the disk.
  start_component postgres "${POSTGRES_AS_OWNER[@]}" "$bin/postgres" -D "$data" \
    -c listen_addresses=127.0.0.1 -c port="$POSTGRES_PORT" -c unix_socket_directories="$socket_dir" \
    -c max_connections=300 -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
    -c log_min_messages=warning -c log_line_prefix='%m [%p] %q%u@%d '
}

postgres_wait() {
  wait_for postgres 60 postgres_ready
  postgres_provision
}

# SIGINT is PostgreSQL's "fast" shutdown: it disconnects clients instead of waiting for them.
postgres_stop() { stop_component postgres INT 30; }

# The login of each context and the gateway's read-only login; the migrations create them and
# set the password from DB_PASSWORD_<ROLE> (migrations/support/sql.ts lists the same roles).
POSTGRES_SERVICE_ROLES=(identity_svc fleet_svc rental_svc maintenance_svc accounting_svc reporting_svc gateway_svc gateway_reader)

postgres_env() {
  printf 'DATABASE_URL=postgres://%s:%s@127.0.0.1:%s/%s\n' "$POSTGRES_APP_ROLE" "$(stack_secret postgres-app)" "$POSTGRES_PORT" "$POSTGRES_DATABASE"
  printf 'DATABASE_ADMIN_URL=postgres://postgres:%s@127.0.0.1:%s/%s\n' "$(stack_secret postgres-admin)" "$POSTGRES_PORT" "$POSTGRES_DATABASE"
  local role
  for role in "${POSTGRES_SERVICE_ROLES[@]}"; do
    printf 'DB_PASSWORD_%s=%s\n' "${role^^}" "$(stack_secret "postgres-$role")"
  done
}

postgres_describe() { printf '127.0.0.1:%s' "$POSTGRES_PORT"; }
