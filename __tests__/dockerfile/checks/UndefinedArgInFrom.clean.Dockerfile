ARG base=scratch
ARG DEBUG
FROM $base
FROM --platform=$BUILDPLATFORM scratch${DEBUG}
FROM scra${DEBUG:-tch}
