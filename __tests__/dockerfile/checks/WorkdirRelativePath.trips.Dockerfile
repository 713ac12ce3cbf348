FROM scratch
WORKDIR app/
WORKDIR more/
