# One image for every Lifeline process; the command picks which one runs.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY contracts/package.json contracts/
COPY packages/platform/package.json packages/platform/
COPY workflows/package.json workflows/
COPY services/command-center/package.json services/command-center/
COPY services/supplies/package.json services/supplies/
COPY services/personnel/package.json services/personnel/
COPY services/notification/package.json services/notification/
COPY services/incentives/package.json services/incentives/
COPY deploy/local/package.json deploy/local/
COPY cli/package.json cli/
RUN pnpm install --frozen-lockfile

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=deps /app /app
COPY . .
USER node
ENV NODE_ENV=production
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["services/command-center/src/main.ts"]
