#!/usr/bin/env bash
# The one entry point behind every npm script: bootstraps what is missing (infra/bootstrap.sh),
# puts the project's Node first on PATH, loads the local stack's environment and runs the task.
#
#   run.sh bootstrap            install what is missing, nothing else
#   run.sh stack ARGS...        infra/stack.sh ARGS (up|down|status|logs|clean)
#   run.sh migrate|topics       apply the migrations / the topic declaration to the running stack
#   run.sh token ARGS...        print a development token (tools/token.ts)
#   run.sh auth ARGS...         the token service's signing keys and OAuth clients (tools/auth.ts)
#   run.sh replay ARGS...       inspect and replay a consumer group's dead letters (tools/replay.ts)
#   run.sh reconcile ARGS...    compare the ledger with the rental and maintenance facts, or verify its hash chain (tools/reconcile.ts)
#   run.sh reporting-rebuild ARGS...  replay the source topics into fresh reporting read models and check every snapshot reproduces (tools/reporting-rebuild.ts)
#   run.sh dev                  stack up, migrations, topics, then the gateway and processors
#   run.sh test [JEST ARGS...]  stack up, migrations, topics, type check, lint, every jest suite
#   run.sh bench [NAME]         a benchmark: pipeline (the default), availability, reservations, ledger or reporting
#   run.sh exec COMMAND...      run a command with the project's toolchain on PATH
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PROJECT_ROOT
STACK_DIR="${STACK_DIR:-$PROJECT_ROOT/.stack}"
export STACK_DIR
# shellcheck source=infra/bootstrap.sh
source "$PROJECT_ROOT/infra/bootstrap.sh"
cd "$PROJECT_ROOT"

export PATH="$PROJECT_ROOT/node_modules/.bin:$PATH"

# Exports the stack's variables without overriding any that the caller set explicitly.
load_stack_env() {
  [[ -f "$STACK_DIR/env" ]] || die "$STACK_DIR/env is missing: run 'npm run stack -- up' first"
  local line name
  while IFS= read -r line; do
    [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || continue
    name="${BASH_REMATCH[1]}"
    [[ -n "${!name:-}" ]] || export "$name=${BASH_REMATCH[2]}"
  done < "$STACK_DIR/env"
}

stack_is_up() { bash "$PROJECT_ROOT/infra/stack.sh" status > /dev/null 2>&1; }

prepare_stack() {
  bash "$PROJECT_ROOT/infra/stack.sh" up
  load_stack_env
  tsx tools/migrate.ts latest
  tsx tools/topics.ts
  tsx tools/ensure-dev-keys.ts
}

run_tests() {
  local stack_was_up=0
  stack_is_up && stack_was_up=1
  # A test run leaves the stack as it found it: started for the run, stopped after it, so that
  # nothing keeps running behind a finished CI job. Start it yourself to keep it warm.
  if [[ $stack_was_up -eq 0 ]]; then
    trap 'bash "$PROJECT_ROOT/infra/stack.sh" down' EXIT
  fi
  prepare_stack
  say "type check"
  tsc --noEmit -p tsconfig.json
  say "lint"
  eslint --max-warnings=0 .
  say "dependency rules"
  depcruise gateway processors platform tools schemas migrations knexfile.ts --config .dependency-cruiser.cjs
  local results="$STACK_DIR/jest-results.json"
  rm -f "$results"
  local status=0
  jest --json --outputFile="$results" "$@" || status=$?
  node tools/test-summary.mjs "$results"
  return $status
}

# The replay tool writes gateway.dlq_replays, which only the gateway's login may: against the local
# stack it connects as gateway_svc. A DATABASE_URL the caller set for another database wins (the
# stack's own one, exported by a shell that sourced .stack/env, is the application login: replaced).
replay_environment() {
  local given_url="${DATABASE_URL:-}"
  [[ -f "$STACK_DIR/env" ]] || return 0
  load_stack_env
  if [[ -n "$given_url" && "$given_url" != "$(sed -n 's/^DATABASE_URL=//p' "$STACK_DIR/env")" ]]; then
    export DATABASE_URL="$given_url"
    return 0
  fi
  DATABASE_URL="$(node -e '
    const url = new URL(process.env.DATABASE_ADMIN_URL);
    url.username = "gateway_svc";
    url.password = process.env.DB_PASSWORD_GATEWAY_SVC;
    process.stdout.write(url.toString());')"
  export DATABASE_URL
}

task="${1:-}"
[[ $# -gt 0 ]] && shift
case "$task" in
  bootstrap) bootstrap ;;
  stack) ensure_debian_packages; ensure_jvm_artifacts; exec bash "$PROJECT_ROOT/infra/stack.sh" "$@" ;;
  migrate) bootstrap; load_stack_env; exec tsx tools/migrate.ts "$@" ;;
  topics) bootstrap; load_stack_env; exec tsx tools/topics.ts "$@" ;;
  token) bootstrap; load_stack_env; exec tsx tools/token.ts "$@" ;;
  # Against the local stack when there is one; a deployment sets AUTH_* and DATABASE_ADMIN_URL itself.
  auth) bootstrap; [[ -f "$STACK_DIR/env" ]] && load_stack_env; exec tsx tools/auth.ts "$@" ;;
  replay) bootstrap; replay_environment; exec tsx tools/replay.ts "$@" ;;
  # Against the local stack when there is one; a deployment sets DATABASE_ADMIN_URL itself.
  reconcile) bootstrap; [[ -f "$STACK_DIR/env" ]] && load_stack_env; exec tsx tools/reconcile.ts "$@" ;;
  reporting-rebuild) bootstrap; [[ -f "$STACK_DIR/env" ]] && load_stack_env; exec tsx tools/reporting-rebuild.ts "$@" ;;
  bench)
    # bench [pipeline|availability|reservations|ledger|reporting]: the command pipeline unless another is named.
    case "${1:-pipeline}" in
      pipeline) bench_file=command-pipeline ;;
      availability | reservations) bench_file="$1" ;;
      ledger) bench_file=ledger-postings ;;
      reporting) bench_file=reporting ;;
      *) die "unknown benchmark '$1': pipeline (the default), availability, reservations, ledger or reporting" ;;
    esac
    [[ $# -gt 0 ]] && shift
    bootstrap; prepare_stack; exec node --import tsx "bench/$bench_file.bench.ts" "$@" ;;
  dev) bootstrap; prepare_stack; exec tsx tools/dev.ts "$@" ;;
  test) bootstrap; run_tests "$@" ;;
  exec) bootstrap; [[ -f "$STACK_DIR/env" ]] && load_stack_env; exec "$@" ;;
  *)
    echo "usage: infra/run.sh bootstrap|stack|migrate|topics|dev|test|replay|reconcile|reporting-rebuild|exec ..." >&2
    exit 2
    ;;
esac
