# syntax=docker/dockerfile:1
#
# One image for every service, run by name (infra/docker/run-component.sh):
#   docker run IMAGE                  the gateway
#   docker run IMAGE fleet            a processor (fleet, rental, maintenance, identity, ledger, reporting)
#   docker run IMAGE migrate          the migrations; `topics` the topic setup
# Kubernetes and compose name the command themselves (node dist/processors/fleet/main.js), which
# replaces the entry point; both forms run the same files.
#
# CI pins the exact Node release of .nvmrc with: --build-arg NODE_VERSION="$(cat .nvmrc)"
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm AS build

# @confluentinc/kafka-javascript compiles librdkafka during `npm ci`; linking it dynamically
# against Debian's libraries keeps security updates of OpenSSL and friends an apt upgrade away.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential python3 \
      libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The lock file alone decides the dependency layer, so source edits do not recompile librdkafka.
# `install --no-save` installs what the lock pins, like `ci`, but accepts a lock file made where
# other platforms' optional binaries were not published (as infra/bootstrap.sh does).
COPY package.json package-lock.json ./
RUN CKJS_LINKING=dynamic npm install --no-save --no-audit --no-fund

COPY . .
# The Avro schemas are read at run time beside the compiled code (dist/schemas).
RUN npx tsc -p tsconfig.json \
 && (cd schemas && find . -name '*.avsc' -exec cp --parents {} ../dist/schemas/ \;)

# knexfile.ts loads migrations by their .ts names, which is also what knex records in its
# migrations table, so migrations run from source under tsx (a runtime dependency) everywhere.
# The last command fails the build if the pruned tree can no longer load the knexfile.
RUN npm prune --omit=dev --no-audit --no-fund \
 && node --import tsx --eval "require('./knexfile')"


FROM node:${NODE_VERSION}-bookworm-slim AS runtime

# The shared libraries librdkafka was linked against; ca-certificates for TLS to brokers, the
# registry and managed databases.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libssl3 libsasl2-2 zlib1g libzstd1 liblz4-1 libcurl4 \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    NODE_OPTIONS=--enable-source-maps

WORKDIR /app

# Everything stays owned by root: the services only read their code.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# TypeScript sources that `node --import tsx tools/migrate.ts` loads.
COPY --from=build /app/tsconfig.json /app/knexfile.ts ./
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/platform ./platform
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/tools ./tools

COPY --chmod=0755 infra/docker/run-component.sh /usr/local/bin/run-component

# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

EXPOSE 8080

ENTRYPOINT ["run-component"]
CMD ["gateway"]
