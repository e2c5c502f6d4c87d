# shellcheck shell=bash
# A private Redis for the stack. Redis holds only ephemeral things in this product, so nothing is
# persisted: no RDB snapshots, no append-only file.

REDIS_PORT="${STACK_REDIS_PORT:-56379}"

redis_ready() {
  [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning -a "$(stack_secret redis)" ping)" == PONG ]]
}

redis_preflight() {
  command -v redis-server >/dev/null || stack_die "redis-server not found: install Debian's 'redis-server' package"
  require_free_port redis "$REDIS_PORT" STACK_REDIS_PORT
}

redis_start() {
  local dir config
  dir="$(component_dir redis)"
  mkdir -p "$dir"
  # The password goes in a private config file rather than on the command line, where `ps` shows it.
  config="$dir/redis.conf"
  (umask 077 && cat > "$config" <<EOF
bind 127.0.0.1
port $REDIS_PORT
requirepass $(stack_secret redis)
dir $dir
save ""
appendonly no
daemonize no
maxmemory 256mb
maxmemory-policy noeviction
# Keeps this stack's directory in the process title, which is how the pid file is checked.
proc-title-template "{title} {listen-addr} {config-file}"
EOF
  )
  stack_say "redis: starting on 127.0.0.1:$REDIS_PORT"
  start_component redis redis-server "$config"
}

redis_wait() { wait_for redis 30 redis_ready; }

redis_stop() { stop_component redis TERM 15; }

redis_env() { printf 'REDIS_URL=redis://:%s@127.0.0.1:%s/0\n' "$(stack_secret redis)" "$REDIS_PORT"; }

redis_describe() { printf '127.0.0.1:%s' "$REDIS_PORT"; }
