# shellcheck shell=bash
# Apicurio Registry, serving the Confluent Schema Registry REST API at /apis/ccompat/v7, with its
# storage in the stack's PostgreSQL (database schema_registry). Schemas then live exactly as long
# as the Kafka records that reference them by id, which in-memory storage would not give.

REGISTRY_PORT="${STACK_REGISTRY_PORT:-58081}"
REGISTRY_MANAGEMENT_PORT="${STACK_REGISTRY_MANAGEMENT_PORT:-58082}"
REGISTRY_HEAP_OPTS="${STACK_REGISTRY_HEAP_OPTS:--Xms128m -Xmx512m}"
REGISTRY_JAVA_MAJOR_MIN=21
REGISTRY_API_PATH=/apis/ccompat/v7

registry_home() {
  local home
  home="$(ls -d "$PROJECT_ROOT"/.toolchain/apicurio-*/ 2>/dev/null | sort -V | tail -n 1)"
  [[ -f "$home/quarkus-run.jar" ]] || stack_die "Apicurio Registry not found under .toolchain/: run 'npm run bootstrap' (needs Java and Maven)"
  printf '%s' "${home%/}"
}

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1; }

# Apicurio 3.3 needs Java 21 or later; Kafka is content with 17. Picks REGISTRY_JAVA_HOME, else the
# java on PATH or JAVA_HOME if new enough, else the newest suitable JVM under /usr/lib/jvm.
registry_java() {
  if [[ -n "${REGISTRY_JAVA_HOME:-}" ]]; then printf '%s/bin/java' "$REGISTRY_JAVA_HOME"; return; fi
  local candidate best="" best_major=0 major
  for candidate in "$(command -v java || true)" "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*/bin/java; do
    [[ -x "$candidate" ]] || continue
    major="$(java_major "$candidate")"
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if ((major > best_major)); then best="$candidate" best_major=$major; fi
  done
  ((best_major >= REGISTRY_JAVA_MAJOR_MIN)) || stack_die "the schema registry (Apicurio 3.3) needs Java $REGISTRY_JAVA_MAJOR_MIN or later, and the newest JVM found is ${best_major:-none}: install a JDK $REGISTRY_JAVA_MAJOR_MIN+ (e.g. Temurin) and set REGISTRY_JAVA_HOME to it"
  printf '%s' "$best"
}

registry_url() { printf 'http://127.0.0.1:%s%s' "$REGISTRY_PORT" "$REGISTRY_API_PATH"; }

registry_ready() { curl -fsS --max-time 5 "$(registry_url)/subjects"; }

registry_preflight() {
  registry_home > /dev/null
  registry_java > /dev/null
  require_free_port registry "$REGISTRY_PORT" STACK_REGISTRY_PORT
  require_free_port registry-management "$REGISTRY_MANAGEMENT_PORT" STACK_REGISTRY_MANAGEMENT_PORT
}

registry_start() {
  local java
  java="$(registry_java)"
  mkdir -p "$(component_dir registry)"
  stack_say "registry: starting Apicurio Registry on $(registry_url) ($("$java" -version 2>&1 | head -n 1))"
  # Secrets go through the environment (Quarkus maps APICURIO_DATASOURCE_PASSWORD to
  # apicurio.datasource.password) so that `ps` does not show them. -Dfleet.stack.dir marks the
  # process as this stack's.
  # shellcheck disable=SC2086 # the heap options are a list of words
  APICURIO_DATASOURCE_PASSWORD="$(stack_secret postgres-registry)" \
    start_component registry "$java" $REGISTRY_HEAP_OPTS -Dfleet.stack.dir="$STACK_DIR" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="jdbc:postgresql://127.0.0.1:$POSTGRES_PORT/$POSTGRES_REGISTRY_DATABASE" \
    -Dapicurio.datasource.username="$POSTGRES_REGISTRY_ROLE" \
    -jar "$(registry_home)/quarkus-run.jar"
}

registry_wait() {
  wait_for registry 120 registry_ready
  # Every schema change must be BACKWARD compatible. Without a global rule Apicurio reports NONE,
  # which @kafkajs/confluent-schema-registry's register() rejects as a mismatch.
  curl -fsS --max-time 10 -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    --data '{"compatibility":"BACKWARD"}' "$(registry_url)/config" > /dev/null \
    || stack_die "registry: could not set the global compatibility level to BACKWARD"
}

registry_stop() { stop_component registry TERM 20; }

registry_env() { printf 'SCHEMA_REGISTRY_URL=%s\n' "$(registry_url)"; }

registry_describe() { registry_url; }
