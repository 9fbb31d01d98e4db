# syntax=docker/dockerfile:1
# dbmazz: PostgreSQL → StarRocks CDC daemon. Two stages: `build` compiles the TypeScript with every
# dependency; the runtime image holds the compiled dist/, proto/ and production dependencies only.
#
#   docker build -t dbmazz:0.1.0 .
#   docker run --rm -e SOURCE_URL=... -e SINK_URL=... -e SINK_DATABASE=... -e TABLES=... dbmazz:0.1.0
#
# test/unit/deploy/dockerfile.test.ts checks this file against the code (no container engine is
# needed for that): the stages, the user, the ports, the command, the copied files and the health check.

# ---- build: npm ci (dev dependencies included: TypeScript) and npm run build:package (tsc → dist/) ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
# The product only, as `npm pack` ships it (tsconfig.build.json: core/ and connectors/). The emulator,
# the demo and the PostgreSQL sandbox are workspace packages of their own (packages/), not in the image:
# `dbmazz demo` and `dbmazz starrocks-emulator` say so there.
COPY core ./core
COPY connectors ./connectors
COPY proto ./proto
RUN npm run build:package

# ---- runtime: production dependencies, the compiled code, a non-root user ------------------------
FROM node:20-bookworm-slim AS runtime
# tini runs as PID 1: it forwards SIGTERM/SIGINT to node and reaps zombies. Node as PID 1 would get
# signals too (the daemon installs its own SIGTERM/SIGINT handlers, core/runtime/signals.ts), but any
# signal without a handler would be ignored, as the kernel does for PID 1. `docker run --init` is then
# not needed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY proto ./proto

# Listen on every interface inside the container (the defaults accept local connections only) and
# serve /metrics, /livez, /healthz and /readyz (off unless METRICS_PORT is set). MALLOC_ARENA_MAX=2: fewer glibc
# arenas, 5-8 MiB less RSS (docs/configuration.md).
ENV GRPC_HOST=0.0.0.0 \
    GRPC_PORT=50051 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9187 \
    LOG_FORMAT=json \
    MALLOC_ARENA_MAX=2
EXPOSE 50051 9187

# The image's own `node` user (uid 1000): the daemon needs no privilege and writes no file.
USER node

# /livez answers 200 while the process runs (reconnecting and hot standby included; /healthz also
# reports errors and standbys, docs/operations.md). No curl in slim images: node's http module.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.METRICS_PORT,path:'/livez',timeout:4000},(r)=>{r.resume();process.exit(r.statusCode===200?0:1)}).on('timeout',function(){this.destroy()}).on('error',()=>process.exit(1))"]

# Exec form (no shell in between): SIGTERM from `docker stop` or the kubelet reaches tini, then node,
# whose first SIGTERM drains (write what is buffered, confirm the final LSN) and exits 0; a second one
# stops at once. Give it time: `docker stop -t 150`, Kubernetes terminationGracePeriodSeconds.
# The command is package.json's "start" script, run by node directly (npm would sit between).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "reflect-metadata", "dist/core/runtime/cli.js"]
