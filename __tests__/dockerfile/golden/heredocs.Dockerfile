FROM debian:bookworm-slim
RUN <<EOF
set -e
apt-get update
apt-get install -y --no-install-recommends curl
EOF
RUN <<-"SCRIPT"
	#!/usr/bin/env bash
	echo "$HOME is not expanded by Kiln"
	SCRIPT
RUN python3 <<PY > /tmp/out && cat <<'TXT' >> /tmp/out
print("hello")
PY
literal $VAR
TXT
COPY <<config.ini <<-'raw.txt' /etc/app/
[app]
home=$HOME
config.ini
	keep $THIS
	raw.txt
ONBUILD RUN <<EOF
echo triggered
EOF
