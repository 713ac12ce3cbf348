# syntax=docker/dockerfile:1.15
FROM busybox
RUN <<EOF
echo no space: a heredoc in 1.15 too
EOF
RUN cat << EOF
