#!/usr/bin/env bash
# The local stack: PostgreSQL, Redis, Apache Kafka and a Confluent-compatible schema registry as
# plain processes under $STACK_DIR (default .stack/), on ports chosen not to collide with services
# a machine may already run. See docs/local-stack.md.
#
#   stack.sh up [NAME...]       start what is not running (all, or the named components and what they
#                               need), wait until each is ready, write $STACK_DIR/env
#   stack.sh down [NAME...]     stop what this stack started (all, or the named components, by their
#                               pid files); data is kept, so `down postgres` then `up postgres`
#                               rehearses a database outage
#   stack.sh status             one line per component; exits 3 when any is stopped
#   stack.sh logs [NAME] [-f]   the tail of one component's log (or of all), optionally following
#   stack.sh clean              down, then delete the stack's data, logs and secrets
set -euo pipefail

PROJECT_ROOT="${PROJECT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
STACK_DIR="$(mkdir -p "${STACK_DIR:-$PROJECT_ROOT/.stack}" && cd "${STACK_DIR:-$PROJECT_ROOT/.stack}" && pwd)"
STACK_COMPONENTS=(postgres redis kafka registry)

for part in process postgres redis kafka registry; do
  # shellcheck source=/dev/null
  source "$PROJECT_ROOT/infra/stack/$part.sh"
done

# Only one `up` or `down` at a time per stack directory (two test runs may race to start it).
take_lock() {
  exec 9> "$STACK_DIR/.lock"
  flock -w 180 9 || stack_die "another stack command has held $STACK_DIR/.lock for 3 minutes"
}

write_env_file() {
  local env_file="$STACK_DIR/env"
  (
    umask 077
    {
      echo "# Written by 'npm run stack -- up'; every project command sources it."
      local component
      for component in "${STACK_COMPONENTS[@]}"; do "${component}_env"; done
      # Development tokens: the gateway's token service (and `npm run token`) signs with the key
      # under $STACK_DIR/auth, and the gateway trusts its public half. A deployment points AUTH_*
      # at its own keys, or at an external identity provider.
      echo "STACK_DIR=$STACK_DIR"
      echo "AUTH_ISSUER=http://127.0.0.1:8080"
      echo "AUTH_AUDIENCE=fleet-api"
      echo "AUTH_JWKS_FILE=$STACK_DIR/auth/jwks.json"
      echo "AUTH_SIGNING_KEYS_FILE=$STACK_DIR/auth/signing-keys.json"
    } > "$env_file.tmp"
  )
  mv "$env_file.tmp" "$env_file"
}

# Components this `up` started; if it fails part-way they are stopped again, so a failed `up`
# leaves the stack as it found it.
STARTED_NOW=()

stop_started_on_failure() {
  local status=$?
  ((status == 0)) && return
  local index
  for ((index = ${#STARTED_NOW[@]} - 1; index >= 0; index--)); do
    "${STARTED_NOW[index]}_stop"
  done
  exit "$status"
}

# The components a command names (all when it names none), checked, in the stack's order. The
# registry stores its schemas in PostgreSQL, so starting it brings PostgreSQL too.
SELECTED=()
select_components() {
  local name
  for name in "$@"; do
    [[ " ${STACK_COMPONENTS[*]} " == *" $name "* ]] || stack_die "unknown component '$name'; one of: ${STACK_COMPONENTS[*]}"
  done
  SELECTED=()
  for name in "${STACK_COMPONENTS[@]}"; do
    if (($# == 0)) || [[ " $* " == *" $name "* ]]; then SELECTED+=("$name"); fi
  done
}

selected() { [[ " ${SELECTED[*]} " == *" $1 "* ]]; }

start_if_stopped() {
  selected "$1" || return 0
  component_running "$1" && return
  "${1}_start"
  STARTED_NOW+=("$1")
}

wait_if_selected() { if selected "$1"; then "${1}_wait"; fi; }

stack_up() {
  local wanted=("$@")
  if [[ " ${wanted[*]} " == *" registry "* ]]; then wanted+=(postgres); fi
  select_components "${wanted[@]}"
  take_lock
  trap stop_started_on_failure EXIT
  local started=$SECONDS component
  # Every missing program and taken port is found before anything starts, so that a failed `up`
  # leaves nothing half-started behind.
  for component in "${SELECTED[@]}"; do
    component_running "$component" || "${component}_preflight"
  done
  # Kafka's JVM is the slowest to start, so it goes first; the registry stores its schemas in
  # PostgreSQL, so it waits for it.
  start_if_stopped kafka
  start_if_stopped postgres
  start_if_stopped redis
  wait_if_selected postgres
  start_if_stopped registry
  wait_if_selected redis
  wait_if_selected kafka
  wait_if_selected registry
  write_env_file
  stack_say "up in $((SECONDS - started))s; environment in $STACK_DIR/env"
}

stack_down() {
  select_components "$@"
  take_lock
  local index
  for ((index = ${#STACK_COMPONENTS[@]} - 1; index >= 0; index--)); do
    if selected "${STACK_COMPONENTS[index]}"; then "${STACK_COMPONENTS[index]}_stop"; fi
  done
}

stack_status() {
  local component pid all_running=0
  for component in "${STACK_COMPONENTS[@]}"; do
    pid="$(component_pid "$component")"
    if [[ -n "$pid" ]]; then
      printf '%-9s running  pid %-8s %s\n' "$component" "$pid" "$("${component}_describe")"
    else
      printf '%-9s stopped\n' "$component"
      all_running=3
    fi
  done
  return $all_running
}

stack_logs() {
  local name="${1:-}" follow="${2:-}"
  if [[ "$name" == -f ]]; then name="" follow=-f; fi
  if [[ -z "$name" ]]; then
    local component
    for component in "${STACK_COMPONENTS[@]}"; do
      printf '==> %s <==\n' "$component"
      tail -n 20 "$(component_log "$component")" 2>/dev/null || echo "(no log yet)"
    done
    return
  fi
  [[ " ${STACK_COMPONENTS[*]} " == *" $name "* ]] || stack_die "unknown component '$name'; one of: ${STACK_COMPONENTS[*]}"
  if [[ "$follow" == -f ]]; then exec tail -n 100 -f "$(component_log "$name")"; fi
  tail -n 100 "$(component_log "$name")"
}

stack_clean() {
  stack_down
  stack_say "deleting $STACK_DIR"
  rm -rf "${STACK_DIR:?}"/*
}

case "${1:-}" in
  up) shift; stack_up "$@" ;;
  down) shift; stack_down "$@" ;;
  status) stack_status ;;
  logs) shift; stack_logs "$@" ;;
  clean) stack_clean ;;
  *)
    echo "usage: npm run stack -- up [NAME...]|down [NAME...]|status|logs [NAME] [-f]|clean   (NAME: postgres, redis, kafka, registry)" >&2
    exit 2
    ;;
esac
