ARG GLOBAL_TOKEN=meta-args-are-not-checked
FROM scratch
ENV PUBLIC_KEY=
ARG public_token
ARG SECRET_PASSPHRASE_FILE
ENV password_file=bar secret_File=baz
ARG AUTH_MODULE_VERSION
ENV sunflower=foo
