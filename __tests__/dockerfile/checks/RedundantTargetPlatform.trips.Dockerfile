FROM --platform=$TARGETPLATFORM scratch
FROM --platform=${TARGETPLATFORM} scratch
