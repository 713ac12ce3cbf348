FROM scratch
CMD mycommand
entrypoint mycommand
