FROM scratch
copy Dockerfile /foo
COPY Dockerfile /bar
From scratch AS other
