# a comment before anything
from alpine:3.20 as Base

run echo one \
  # a comment inside the continuation

  && echo two
Label org.opencontainers.image.title="My App" \
      version=1.0 description='single quoted'
ENV LEGACY_FORM value with  spaces
ENV A=1 B="$A and more" C=${A:-x}
MAINTAINER Someone <someone@example.com>
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
WORKDIR /srv
VOLUME ["/data", "/logs"]
VOLUME /cache
EXPOSE 80/tcp 443 53/udp
USER app
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD wget -qO- http://localhost/health || exit 1
HEALTHCHECK NONE
ONBUILD COPY . /srv/
ONBUILD RUN make
CMD exec /srv/app --port 80
