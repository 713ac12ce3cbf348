FROM busybox AS base
ARG foo=Dockerfile
ARG bare
COPY Dockerfile${bare} .
RUN echo $NOT_EXPANDED_BY_BUILDKIT
ENV HOME=/root
WORKDIR $HOME
USER ${FROM_IMAGE}

FROM base
COPY $foo .
