# shellcheck shell=bash
# Process supervision for the local stack: each component runs as a plain background process in
# its own session, with its pid in $STACK_DIR/<name>/pid and its output in $STACK_DIR/<name>/log.
# A pid file only counts when the process it names still runs from this stack's directory, so a
# recycled pid never makes `up` skip a component or `down` kill a stranger.

STACK_LOG_TAIL_LINES=40

stack_say() { printf 'stack: %s\n' "$*" >&2; }
stack_die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

component_dir() { printf '%s/%s' "$STACK_DIR" "$1"; }
component_log() { printf '%s/%s/log' "$STACK_DIR" "$1"; }
component_pid_file() { printf '%s/%s/pid' "$STACK_DIR" "$1"; }

# Prints the pid of a running component, or nothing.
component_pid() {
  local pid_file pid
  pid_file="$(component_pid_file "$1")"
  [[ -f "$pid_file" ]] || return 0
  pid="$(cat "$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STACK_DIR" || return 0
  printf '%s' "$pid"
}

component_running() { [[ -n "$(component_pid "$1")" ]]; }

# True when something accepts TCP connections on 127.0.0.1:<port>.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Refuses to start a component on a port that another process already holds.
require_free_port() {
  local name="$1" port="$2" variable="$3"
  if port_open "$port"; then
    stack_die "$name: port $port is already in use by a process this stack did not start; set $variable to another port"
  fi
}

# start_component NAME COMMAND...: runs COMMAND detached (new session, no terminal, output to the
# component's log) and records its pid. The command must not fork away from that pid.
start_component() {
  local name="$1"
  shift
  mkdir -p "$(component_dir "$name")"
  local log
  log="$(component_log "$name")"
  printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$name" >> "$log"
  # fd 9 is the stack lock (infra/stack.sh): a daemon that inherited it would hold it forever.
  setsid "$@" >> "$log" 2>&1 < /dev/null 9>&- &
  printf '%s' "$!" > "$(component_pid_file "$name")"
}

show_log_tail() {
  local log
  log="$(component_log "$1")"
  printf 'stack: last %s lines of %s:\n' "$STACK_LOG_TAIL_LINES" "$log" >&2
  tail -n "$STACK_LOG_TAIL_LINES" "$log" >&2 2>/dev/null || true
}

# wait_for NAME TIMEOUT_SECONDS CHECK...: polls CHECK until it succeeds; fails with the log's tail
# when the timeout passes or the process dies first.
wait_for() {
  local name="$1" timeout_seconds="$2"
  shift 2
  local deadline=$((SECONDS + timeout_seconds))
  until "$@" >/dev/null 2>&1; do
    if ! component_running "$name"; then
      stack_say "$name exited while starting"
      show_log_tail "$name"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      stack_say "$name was not ready within ${timeout_seconds}s"
      show_log_tail "$name"
      exit 1
    fi
    sleep 0.5
  done
}

# stop_component NAME SIGNAL TIMEOUT_SECONDS: asks the process to stop with SIGNAL, then kills it
# (and anything left in its session) once the timeout passes.
stop_component() {
  local name="$1" signal="$2" timeout_seconds="$3"
  local pid
  pid="$(component_pid "$name")"
  if [[ -z "$pid" ]]; then
    rm -f "$(component_pid_file "$name")"
    return
  fi
  stack_say "stopping $name (pid $pid)"
  kill "-$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout_seconds))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    stack_say "$name did not stop within ${timeout_seconds}s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(component_pid_file "$name")"
}

# Generates a secret once per stack directory and prints it; URL-safe so it can sit in a URL.
stack_secret() {
  local file="$STACK_DIR/secrets/$1"
  if [[ ! -s "$file" ]]; then
    mkdir -p "$STACK_DIR/secrets"
    chmod 700 "$STACK_DIR/secrets"
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$file")
  fi
  cat "$file"
}
