ARG MY_OS=linux
ARG MY_ARCH=amd64
ARG tag=latest
FROM --platform=$BULIDPLATFORM scratch
FROM busybox:${tag}${version} AS b
FROM --platform=linux/${MYARCH} busybox AS c
