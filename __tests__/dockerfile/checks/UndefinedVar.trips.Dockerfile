FROM busybox
COPY $foo .
ARG foo=bar
ARG DIR_BINARIES=binaries/
ARG DIR_ASSETS=assets/
COPY $DIR_ASSET .
ENV PATH=$PAHT:/tmp/bin
COPY ${HOMEDIR} /home/
