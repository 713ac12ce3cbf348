# syntax=docker/dockerfile:1.16
FROM busybox
RUN << EOF
echo spaced
EOF
RUN <<	EOF2 > /out
echo tab
EOF2
RUN << -EOF
echo the delimiter is -EOF
-EOF
RUN cat << 'QUOTED' && cat <<-X
$NOT_EXPANDED
QUOTED
	chomped
	X
COPY <<EOF <<-"RAW" /etc/
kept $HOME
EOF
	raw $HOME
	RAW
