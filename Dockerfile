# One image for every Statementflow role; the command picks it (docker-compose.temporal.yml):
#   API      node --import tsx api/main.ts
#   worker   node --import tsx worker/main.ts --queues=pdf_processing
#   migrate  node --import tsx scripts/migrate.ts
# `node --import tsx` runs TypeScript in one process, so SIGTERM reaches our handlers
# directly (graceful worker shutdown) — no npm or tsx wrapper in between.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first: code changes reuse this layer. Runtime deps only: tsx, the Temporal
# SDK (prebuilt native bridge for linux glibc) and the bundler are runtime dependencies.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY . .

# The prebuilt workflow bundle production workers load (worker/workflow-source.ts prefers
# dist/workflow-bundle.js), so a worker starts in seconds instead of bundling at boot.
RUN npm run build:workflows

USER node
EXPOSE 8000 9464
CMD ["node", "--import", "tsx", "api/main.ts"]
