FROM --platform=$BUILDPLATFORM scratch
FROM --platform=${TARGETOS}/${TARGETARCH} scratch
