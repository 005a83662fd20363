# The galera-gitops webhook image. Multi-stage: the build stage has the dev dependencies
# and compiles TypeScript; the runtime stage has Node 24, production dependencies and the
# built code only, and runs as a non-root user.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The `node` devDependency would download a second Node; the image already has Node 24.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY policies ./policies
COPY generator ./generator
COPY webhook ./webhook
COPY cli ./cli
COPY schemas ./schemas
RUN npx tsc -p tsconfig.build.json

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY schemas ./schemas
COPY generator/scripts ./generator/scripts
COPY examples ./examples
# The image's own unprivileged user (uid 1000, as the chart's securityContext expects).
USER 1000:1000
EXPOSE 8443
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve"]
