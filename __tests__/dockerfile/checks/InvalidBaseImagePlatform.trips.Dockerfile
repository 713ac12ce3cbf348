FROM busybox
FROM --platform=linux/arm64 busybox AS arm64
