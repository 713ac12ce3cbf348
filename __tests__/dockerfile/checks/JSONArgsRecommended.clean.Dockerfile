FROM scratch AS base
SHELL ["/usr/bin/customshell"]

FROM base
CMD mycommand
ENTRYPOINT ["/app"]

FROM shelled
CMD mycommand
