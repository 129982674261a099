# syntax=docker/dockerfile:1
# One image for every Lifeline process; the command picks which one runs, e.g.
#   docker run lifeline services/supplies/src/main.ts      docker run lifeline workflows/src/worker.ts
# and deploy/image/run.cjs starts that process's compiled bundle (dist/apps), or a one-shot script through tsx.
# Stages: deps (install from the lockfile) → build (processes compiled, workflow bundle prebuilt) → runtime (non-root,
# read-only code).
ARG NODE_IMAGE=node:20.19-bookworm-slim

# Only the workspace manifests (every package.json, whatever packages exist), so the dependency layer below stays
# cached until a manifest or the lockfile changes, and a new workspace package needs no Dockerfile edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -name package.json -not -path '*/node_modules/*' -not -path './.tools/*' \
      -exec sh -c 'mkdir -p "/manifests/$(dirname "$1")" && cp "$1" "/manifests/$1"' _ {} \; \
 && cp pnpm-lock.yaml pnpm-workspace.yaml /manifests/

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY --from=manifests /manifests/ ./
RUN pnpm install --frozen-lockfile

FROM deps AS build
COPY . .
# Every process compiled to JavaScript once (dist/apps), so none compiles its TypeScript at start.
RUN node --import tsx deploy/local/src/build.ts
# The worker loads this bundle (LIFELINE_WORKFLOW_BUNDLE) instead of running webpack at every start.
RUN node --import tsx deploy/image/bundle-workflows.ts dist/workflow-bundle.js

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    LIFELINE_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    HTTP_HOST=0.0.0.0
# Code stays owned by root; the processes run as the unprivileged `node` user (uid 1000) and cannot modify it.
COPY --from=build /app /app
USER node
ENTRYPOINT ["node", "deploy/image/run.cjs"]
CMD ["services/command-center/src/main.ts"]
