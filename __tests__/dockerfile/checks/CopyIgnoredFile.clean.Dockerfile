FROM scratch AS base
COPY app.txt /foobar
ADD https://example.com/Dockerfile /from-url

FROM base
COPY --from=base /foobar /Dockerfile
COPY . .
