# syntax=docker/dockerfile:1
# One image for every service (docker-compose.yml builds it once per service,
# the layers are shared): the whole workspace with its dependencies installed
# from the lockfile; SERVICE=<name> picks which service starts.
#
#   docker build -t govsvc .
#   docker run -e SERVICE=intake -e SERVICE_NAME=intake ... govsvc

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS base
# The package manager pinned in package.json ("packageManager"); installed
# with npm because corepack's bundled signing keys lag behind pnpm releases.
# infra/test/compose.unit.spec.ts keeps the two versions equal.
ARG PNPM_VERSION=10.34.9
RUN npm install -g pnpm@${PNPM_VERSION} && npm cache clean --force
ENV npm_config_update_notifier=false
WORKDIR /app

FROM base AS deps
# Only the lockfile and the workspace manifest: the download layer (every
# package in the lockfile) is rebuilt when dependencies change, not on every
# source edit.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch --frozen-lockfile

FROM deps AS build
COPY . .
# Services run their TypeScript source through tsx (a dev dependency), so
# this is the full install, offline from the fetched store, exactly the lockfile.
RUN pnpm install --offline --frozen-lockfile

FROM base AS runtime
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
# ${SERVICE:?} makes a container without SERVICE fail at once with a clear message.
CMD ["sh", "-c", "exec pnpm --filter \"@govsvc/${SERVICE:?set SERVICE to the service to run, e.g. SERVICE=intake}\" start"]
