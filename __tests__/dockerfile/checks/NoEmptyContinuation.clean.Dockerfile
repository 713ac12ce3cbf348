FROM scratch
COPY Dockerfile \
  # a comment line is no empty line
  .
