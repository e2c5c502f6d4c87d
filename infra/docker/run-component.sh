#!/bin/sh
# The image's entry point: runs one component of the system by name, so that one image serves
# every workload.
#
#   docker run IMAGE                 the gateway
#   docker run IMAGE fleet           a processor: fleet, rental, maintenance, identity, ledger, reporting
#   docker run IMAGE migrate         the database migrations (DATABASE_ADMIN_URL, DB_PASSWORD_<ROLE>)
#   docker run IMAGE topics          the Kafka topic setup
#   docker run IMAGE replay ARGS     an operator's tool: replay, reconcile, reporting-rebuild
#   docker run IMAGE node ...        any other command, run as given
#
# Arguments after the name go to the component. Each runs as PID 1 (exec), so SIGTERM reaches it.
set -eu

component="${1:-gateway}"
[ "$#" -gt 0 ] && shift

case "$component" in
  gateway)
    exec node dist/gateway/main.js "$@" ;;
  fleet | rental | maintenance | identity | ledger | reporting)
    exec node "dist/processors/$component/main.js" "$@" ;;
  migrate)
    # Migrations load by their .ts names, which knex records; they run from source (tsx).
    exec node --import tsx tools/migrate.ts "$@" ;;
  topics | replay | reconcile | reporting-rebuild)
    exec node "dist/tools/$component.js" "$@" ;;
  help | --help | -h)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0 ;;
  *)
    exec "$component" "$@" ;;
esac
