# syntax=docker/dockerfile:1
# Two images from one Dockerfile (see docker-compose.yml and docs/deploy.md):
#   docker build --target realtime -t switchboard-realtime .   the compiled service: node dist/index.js
#   docker build --target web -t switchboard-web \
#     --build-arg NEXT_PUBLIC_REALTIME_URL=https://chat.example.com .   next start
# Both run what `pnpm build` makes, as the unprivileged `node` user, with production
# dependencies only (pnpm deploy --prod).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS install
ENV CI=true NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
RUN npm install -g pnpm@12.21.0
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile

FROM install AS realtime-build
# turbo: prisma generate, then the esbuild bundles dist/index.js and dist/migrate.js.
RUN pnpm exec turbo run build --filter=@repo/realtime
RUN pnpm --filter @repo/realtime deploy --prod /out \
 && mkdir -p /out/prisma && cp -r prisma/migrations /out/prisma/

FROM install AS web-build
# Inlined into the browser bundle at build time: the public origin users open (nginx).
ARG NEXT_PUBLIC_REALTIME_URL=http://localhost:8080
RUN cd apps/web && NEXT_PUBLIC_REALTIME_URL="$NEXT_PUBLIC_REALTIME_URL" pnpm exec next build
RUN pnpm --filter @repo/web deploy --prod /out \
 && rm -rf /out/.next && cp -r apps/web/.next /out/.next && rm -rf /out/.next/cache

FROM ${NODE_IMAGE} AS realtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /srv
# dist/, flags/, prisma/migrations and node_modules: found from dist/ by what the folders hold.
COPY --from=realtime-build --chown=node:node /out ./
USER node
EXPOSE 4000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `node dist/migrate.js` applies the migrations and exits (the service also does on start).
CMD ["node", "--enable-source-maps", "dist/index.js"]

FROM ${NODE_IMAGE} AS web
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
WORKDIR /srv
COPY --from=web-build --chown=node:node /out ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/sign-in').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "node_modules/next/dist/bin/next", "start", "--port", "3000", "--hostname", "0.0.0.0"]
