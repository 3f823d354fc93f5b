# The game server as a container image: the built client and the compiled
# server, run with plain node as the unprivileged `node` user. Multi-stage:
# the build stage has the dev dependencies (Vite, TypeScript) and builds
# dist/ (the client) and dist-server/ (the server as JavaScript); the runtime
# stage has production dependencies only (no TypeScript, tsx, Vite or Phaser)
# and no sources. See docs/deployment.md for ports and addresses.
#
#   docker build -t netcode-arena .
#   docker run -p 8080:8080 -p 40000-40099:40000-40099/udp -e PUBLIC_IP=127.0.0.1 netcode-arena
#
# The game listens on every interface of the container (HOST=0.0.0.0; the
# server's own default is loopback). /metrics and the detailed /healthz are on
# the ops listener, port 9464 on the container's loopback: set OPS_HOST=0.0.0.0
# for a scraper on the container network, and publish it, if at all, on the
# host's loopback (-p 127.0.0.1:9464:9464). It is not EXPOSEd, so -P leaves it alone.

# ── build: the browser client into dist/, the server into dist-server/ ───────
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.server.json vite.config.ts ./
COPY protocol ./protocol
COPY game-client ./game-client
COPY game-server ./game-server
RUN npm run build

# ── runtime: production dependencies, the compiled server, the built client ──
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    OPS_PORT=9464 \
    RTC_PORT_MIN=40000 \
    RTC_PORT_MAX=40099
WORKDIR /app
COPY package.json package-lock.json ./
# node-datachannel's native binary ships inside its npm package (pinned by
# the `overrides` entry): nothing is downloaded from elsewhere at install.
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist-server ./dist-server
COPY --from=build /app/dist ./dist
USER node
# HTTP, WebSocket and WebRTC signaling on one TCP port; WebRTC's data channels on the UDP range.
EXPOSE 8080/tcp 40000-40099/udp
# The game port's /healthz: {"status":"ok"} while the process serves.
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# What `npm start` runs, without npm in between (signals reach node directly).
CMD ["node", "--enable-source-maps", "dist-server/game-server/main.js"]
