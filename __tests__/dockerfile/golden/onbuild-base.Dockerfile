FROM alpine AS assets
RUN mkdir /assets && echo hi > /assets/a.txt

FROM node:20 AS base
WORKDIR /app
ONBUILD COPY --from=assets /assets /app/assets
ONBUILD RUN npm ci

FROM base AS app
CMD ["node", "server.js"]

FROM alpine AS unused
RUN --mount=type=cache,target=/var/cache/apk apk add git
