# Çözüm in a container: `docker build -t cozum .`, then see compose.yaml.
# Build stage: native modules (better-sqlite3) compile here, with the tools they need.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/prisma-generate.mjs
COPY prisma prisma
COPY prisma.config.ts ./
# postinstall generates the Prisma client; TypeScript (a development dependency) compiles src/
# into dist/ (scripts/build.mjs), then the development dependencies leave the image.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run stage: no compilers, not root.
FROM node:20-bookworm-slim
# MALLOC_ARENA_MAX: glibc's per-thread malloc arenas (libuv's pool, the report worker, SQLite) held
# 30–60 MB more resident memory without it (docs/performance.md, "Memory"); `npm start` sets it too.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /readyz: database reachable, migrations applied, channels started, not draining.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "scripts/healthcheck.mjs"]
# SIGTERM drains and finishes the turns in flight (shutdownTimeoutSeconds, 25 s by default):
# give `docker stop` a longer grace period than that (compose.yaml: stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["node", "--heap-growing-percent=50", "dist/main.js"]
