FROM scratch
EXPOSE 80/tcp 8080 53/udp
